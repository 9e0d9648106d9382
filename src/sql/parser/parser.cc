#include "sql/parser/parser.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <string>
#include <utility>

#include "sql/parser/keywords.h"
#include "sql/parser/lexer.h"

namespace laminar::sql {

namespace {

// Room reserved up front in the argument, operand and item lists of syntax nodes: grown one
// element at a time, a vector reallocates at sizes 1, 2 and 4, and most lists are no longer.
constexpr size_t kListCapacity = 4;

// Binding strength of operators, higher binds tighter; PostgreSQL's table.
constexpr int kPrecedenceOr = 1;
constexpr int kPrecedenceAnd = 2;
constexpr int kPrecedenceNot = 3;
constexpr int kPrecedenceIs = 4;
constexpr int kPrecedenceComparison = 5;
constexpr int kPrecedenceBetweenInLike = 6;
constexpr int kPrecedenceOtherOperator = 7;  // ||
constexpr int kPrecedenceAdditive = 8;
constexpr int kPrecedenceMultiplicative = 9;
constexpr int kPrecedencePower = 10;
constexpr int kPrecedenceUnary = 11;
constexpr int kPrecedenceCast = 12;

std::string UpperCase(std::string_view word) {
  std::string upper(word);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

/// Optimal-string-alignment distance (edits, with adjacent swaps counting once), for
/// recognising misspelled keywords such as FORM for FROM. Large inputs return a large value.
size_t SpellingDistance(std::string_view a, std::string_view b) {
  constexpr size_t kMax = 24;
  if (a.size() > kMax || b.size() > kMax) return kMax;
  size_t d[kMax + 1][kMax + 1];
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::optional<IntervalField> IntervalFieldFromWord(std::string_view word) {
  struct Entry {
    std::string_view singular;
    IntervalField field;
  };
  static constexpr Entry kEntries[] = {
      {"year", IntervalField::kYear},
      {"month", IntervalField::kMonth},
      {"week", IntervalField::kWeek},
      {"day", IntervalField::kDay},
      {"hour", IntervalField::kHour},
      {"minute", IntervalField::kMinute},
      {"second", IntervalField::kSecond},
      {"millisecond", IntervalField::kMillisecond},
      {"microsecond", IntervalField::kMicrosecond},
  };
  for (const Entry& entry : kEntries) {
    if (word == entry.singular || (word.size() == entry.singular.size() + 1 && word.back() == 's' &&
                                   word.substr(0, entry.singular.size()) == entry.singular)) {
      return entry.field;
    }
  }
  return std::nullopt;
}

/// Recursive-descent parser over a token vector. One instance parses one text.
class Parser {
 public:
  /// REQUIRES: `tokens` ends with kEndOfInput and outlives the parser.
  Parser(const std::vector<Token>& tokens, const ParserLimits& limits)
      : tokens_(tokens.data()), last_index_(tokens.size() - 1), limits_(limits) {}

  Result<std::vector<StatementPtr>> ParseScript() {
    std::vector<StatementPtr> statements;
    while (true) {
      while (Consume(TokenKind::kSemicolon)) {
      }
      if (Is(TokenKind::kEndOfInput)) return statements;
      LAMINAR_ASSIGN_OR_RETURN(StatementPtr statement, ParseStatement());
      statements.push_back(std::move(statement));
      if (Is(TokenKind::kEndOfInput)) return statements;
      if (!Is(TokenKind::kSemicolon)) return ErrorExpected("\";\" or end of input");
    }
  }

  Result<StatementPtr> ParseSingleStatement() {
    LAMINAR_ASSIGN_OR_RETURN(StatementPtr statement, ParseStatement());
    Consume(TokenKind::kSemicolon);
    if (!Is(TokenKind::kEndOfInput)) return ErrorExpected("end of input (one statement only)");
    return statement;
  }

  Result<ExprPtr> ParseStandaloneExpression() {
    LAMINAR_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpr());
    if (!Is(TokenKind::kEndOfInput)) return ErrorExpected("end of input");
    return expr;
  }

 private:
  // ------------------------------------------------------------------------------------------
  // Token access

  const Token& Current() const { return tokens_[index_]; }
  const Token& Ahead(size_t count) const { return tokens_[std::min(index_ + count, last_index_)]; }
  void Advance() {
    if (index_ < last_index_) ++index_;
  }
  bool Is(TokenKind kind) const { return Current().kind == kind; }
  bool IsKeyword(Keyword keyword) const { return Current().IsKeyword(keyword); }
  bool Consume(TokenKind kind) {
    if (!Is(kind)) return false;
    Advance();
    return true;
  }
  bool ConsumeKeyword(Keyword keyword) {
    if (!IsKeyword(keyword)) return false;
    Advance();
    return true;
  }
  uint32_t PreviousEnd() const { return index_ == 0 ? 0 : tokens_[index_ - 1].end_offset; }

  // ------------------------------------------------------------------------------------------
  // Errors

  static std::string Near(const Token& token) {
    if (token.kind == TokenKind::kEndOfInput) return "at end of input";
    std::string_view raw = token.raw;
    if (raw.size() > 40) return fmt::format("at or near \"{}...\"", raw.substr(0, 37));
    return fmt::format("at or near \"{}\"", raw);
  }

  static Status SyntaxError(const Token& token, std::string_view detail) {
    return Status::Error(ErrorCode::kSyntaxError, "syntax error {}: {}", Near(token), detail)
        .WithPosition(token.position);
  }

  Status ErrorExpected(std::string_view what) const {
    return SyntaxError(Current(), fmt::format("expected {}", what));
  }

  Status Expect(TokenKind kind) {
    if (Consume(kind)) return Status::Ok();
    return ErrorExpected(TokenKindName(kind));
  }

  Status ExpectKeyword(Keyword keyword) {
    if (ConsumeKeyword(keyword)) return Status::Ok();
    return ErrorExpected(UpperCase(keyword.word()));
  }

  /// After an implicit alias, a following name or literal means the statement cannot be
  /// right; if the alias looks like a misspelled clause keyword, blame it instead.
  Status CheckAliasIsNotMisspelledKeyword(const Token& alias,
                                          std::initializer_list<std::string_view> keywords) {
    const Token& next = Current();
    bool next_starts_value =
        (next.kind == TokenKind::kIdentifier && !IsReservedKeyword(next.keyword_id)) ||
        next.kind == TokenKind::kQuotedIdentifier || next.kind == TokenKind::kString ||
        next.kind == TokenKind::kInteger || next.kind == TokenKind::kDecimal ||
        next.kind == TokenKind::kStar;
    if (!next_starts_value || alias.kind != TokenKind::kIdentifier || alias.text.size() < 4) {
      return Status::Ok();
    }
    for (std::string_view keyword : keywords) {
      size_t allowed = alias.text.size() >= 6 ? 2 : 1;
      if (SpellingDistance(alias.text, keyword) <= allowed) {
        return SyntaxError(alias, fmt::format("expected {}", UpperCase(keyword)));
      }
    }
    return Status::Ok();
  }

  // ------------------------------------------------------------------------------------------
  // Nesting limits

  /// Restores the nesting depth when a grammar rule returns and tracks the deepest level its
  /// subtree reached, so that left-deep chains can be charged for their real height.
  class NestingScope {
   public:
    explicit NestingScope(Parser& parser)
        : parser_(parser), saved_depth_(parser.depth_), saved_peak_(parser.peak_depth_) {
      parser.peak_depth_ = parser.depth_;
    }
    ~NestingScope() {
      parser_.depth_ = saved_depth_;
      parser_.peak_depth_ = std::max(saved_peak_, parser_.peak_depth_);
    }
    NestingScope(const NestingScope&) = delete;
    NestingScope& operator=(const NestingScope&) = delete;

   private:
    Parser& parser_;
    uint32_t saved_depth_;
    uint32_t saved_peak_;
  };

  Status EnterNesting() {
    ++depth_;
    peak_depth_ = std::max(peak_depth_, depth_);
    if (depth_ > limits_.max_nesting_depth) {
      return Status::Error(ErrorCode::kNestingTooDeep,
                           "statement nested too deeply: more than {} levels of parentheses, "
                           "subqueries, operators or joins",
                           limits_.max_nesting_depth)
          .WithPosition(Current().position);
    }
    return Status::Ok();
  }

  /// One more link of a left-deep chain (a + b + c, a JOIN b JOIN c, UNION ...): the new node
  /// sits on top of the tallest operand parsed so far.
  Status EnterChainLink() {
    depth_ = peak_depth_;
    return EnterNesting();
  }

  // ------------------------------------------------------------------------------------------
  // Names

  /// A name usable as a column, table or alias: an unreserved word or a quoted identifier.
  bool IsName(const Token& token) const {
    return token.kind == TokenKind::kQuotedIdentifier ||
           (token.kind == TokenKind::kIdentifier && !IsReservedKeyword(token.keyword_id));
  }

  Result<Identifier> ParseIdentifier() {
    const Token& token = Current();
    if (!IsName(token)) {
      if (token.kind == TokenKind::kIdentifier) {
        return SyntaxError(token, fmt::format("expected a name ({} is a reserved word; write "
                                              "\"{}\" to use it as a name)",
                                              UpperCase(token.text), token.text));
      }
      return ErrorExpected("a name");
    }
    Identifier identifier{std::string(token.text), token.position};
    Advance();
    return identifier;
  }

  /// Any word, reserved or not: option keys, aliases after AS, names after a dot.
  Result<Identifier> ParseAnyWord(std::string_view what = "a name") {
    const Token& token = Current();
    if (token.kind != TokenKind::kIdentifier && token.kind != TokenKind::kQuotedIdentifier) {
      return ErrorExpected(what);
    }
    Identifier identifier{std::string(token.text), token.position};
    Advance();
    return identifier;
  }

  Result<ObjectName> ParseObjectName() {
    ObjectName name;
    name.position = Current().position;
    LAMINAR_ASSIGN_OR_RETURN(Identifier first, ParseIdentifier());
    name.parts.push_back(std::move(first.name));
    while (Is(TokenKind::kDot)) {
      Advance();
      LAMINAR_ASSIGN_OR_RETURN(Identifier part, ParseAnyWord());
      name.parts.push_back(std::move(part.name));
    }
    return name;
  }

  Result<std::vector<Identifier>> ParseParenthesizedIdentifiers() {
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
    std::vector<Identifier> identifiers;
    do {
      LAMINAR_ASSIGN_OR_RETURN(Identifier identifier, ParseIdentifier());
      identifiers.push_back(std::move(identifier));
    } while (Consume(TokenKind::kComma));
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
    return identifiers;
  }

  Result<int64_t> ParseInteger() {
    const Token& token = Current();
    if (token.kind != TokenKind::kInteger) return ErrorExpected("an integer");
    int64_t value = 0;
    auto [end, error] =
        std::from_chars(token.text.data(), token.text.data() + token.text.size(), value);
    if (error != std::errc() || end != token.text.data() + token.text.size()) {
      return Status::Error(ErrorCode::kInvalidLiteral, "integer {} is out of range", token.text)
          .WithPosition(token.position);
    }
    Advance();
    return value;
  }

  // ------------------------------------------------------------------------------------------
  // Statements

  Result<StatementPtr> ParseStatement() {
    NestingScope scope(*this);
    LAMINAR_RETURN_IF_ERROR(EnterNesting());
    SourcePosition start = Current().position;
    LAMINAR_ASSIGN_OR_RETURN(StatementPtr statement, ParseStatementBody());
    statement->position = start;
    statement->end_offset = PreviousEnd();
    return statement;
  }

  bool IsQueryStart() const {
    return IsKeyword("select") || IsKeyword("with") || IsKeyword("values") ||
           Is(TokenKind::kLeftParen);
  }

  Result<StatementPtr> ParseStatementBody() {
    if (IsQueryStart()) {
      auto statement = std::make_unique<QueryStatement>();
      LAMINAR_ASSIGN_OR_RETURN(statement->query, ParseQuery());
      return StatementPtr(std::move(statement));
    }
    switch (Current().keyword_id) {
      case Keyword("create").id():
        return ParseCreate();
      case Keyword("insert").id():
        return ParseInsert();
      case Keyword("update").id():
        return ParseUpdate();
      case Keyword("delete").id():
        return ParseDelete();
      case Keyword("drop").id():
        return ParseDrop();
      case Keyword("show").id():
        return ParseShow();
      case Keyword("describe").id():
      case Keyword("desc").id():
        return ParseDescribe();
      case Keyword("explain").id():
        return ParseExplain();
      case Keyword("checkpoint").id():
        Advance();
        return StatementPtr(std::make_unique<CheckpointStatement>());
      case Keyword("restore").id():
        return ParseRestore();
      case Keyword("set").id():
        return ParseSet();
      case Keyword("subscribe").id():
        return ParseSubscribe();
      default:
        break;
    }
    return ErrorExpected("a statement (SELECT, CREATE, INSERT, DROP, SHOW, EXPLAIN, ...)");
  }

  Result<StatementPtr> ParseCreate() {
    Advance();  // CREATE
    CreateHeader header;
    if (ConsumeKeyword("or")) {
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("replace"));
      header.or_replace = true;
    }
    enum class What { kSource, kStream, kView, kSink, kTable, kLookupTable };
    What what;
    if (ConsumeKeyword("source")) {
      what = What::kSource;
    } else if (ConsumeKeyword("stream")) {
      what = What::kStream;
    } else if (ConsumeKeyword("materialized")) {
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("view"));
      what = What::kView;
    } else if (ConsumeKeyword("sink")) {
      what = What::kSink;
    } else if (ConsumeKeyword("table")) {
      what = What::kTable;
    } else if (ConsumeKeyword("lookup")) {
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("table"));
      what = What::kLookupTable;
    } else {
      return ErrorExpected("SOURCE, STREAM, MATERIALIZED VIEW, SINK, TABLE or LOOKUP TABLE");
    }
    if (ConsumeKeyword("if")) {
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("not"));
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("exists"));
      header.if_not_exists = true;
    }
    LAMINAR_ASSIGN_OR_RETURN(header.name, ParseObjectName());
    switch (what) {
      case What::kSource:
        return ParseCreateSource(std::move(header));
      case What::kStream:
      case What::kView:
        return ParseCreateStream(std::move(header), what == What::kView);
      case What::kSink:
        return ParseCreateSink(std::move(header));
      case What::kTable:
      case What::kLookupTable:
        return ParseCreateTable(std::move(header), what == What::kLookupTable);
    }
    return ErrorExpected("SOURCE");
  }

  Result<StatementPtr> ParseCreateSource(CreateHeader header) {
    auto statement = std::make_unique<CreateSourceStatement>();
    statement->header = std::move(header);
    if (Is(TokenKind::kLeftParen)) {
      statement->has_elements = true;
      LAMINAR_RETURN_IF_ERROR(ParseTableElements(statement->elements));
    }
    if (ConsumeKeyword("from")) {
      LAMINAR_ASSIGN_OR_RETURN(statement->connector, ParseConnector());
    }
    LAMINAR_RETURN_IF_ERROR(ParseFormatAndOptions(statement->format, statement->options));
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseCreateTable(CreateHeader header, bool lookup) {
    auto statement = std::make_unique<CreateTableStatement>();
    statement->header = std::move(header);
    statement->lookup = lookup;
    LAMINAR_RETURN_IF_ERROR(ParseTableElements(statement->elements));
    if (ConsumeKeyword("from")) {
      LAMINAR_ASSIGN_OR_RETURN(statement->connector, ParseConnector());
    } else if (lookup) {
      return ErrorExpected("FROM (a lookup table needs a connector, e.g. FROM POSTGRES (...))");
    }
    LAMINAR_RETURN_IF_ERROR(ParseFormatAndOptions(statement->format, statement->options));
    return StatementPtr(std::move(statement));
  }

  Status ParseFormatAndOptions(std::optional<FormatClause>& format, std::vector<Option>& options) {
    if (IsKeyword("format")) {
      FormatClause clause;
      clause.position = Current().position;
      Advance();
      LAMINAR_ASSIGN_OR_RETURN(Identifier name, ParseAnyWord("a format name such as JSON"));
      clause.name = std::move(name.name);
      if (Is(TokenKind::kLeftParen)) {
        LAMINAR_RETURN_IF_ERROR(ParseOptionList(clause.options));
      }
      format = std::move(clause);
    }
    if (ConsumeKeyword("with")) {
      LAMINAR_RETURN_IF_ERROR(ParseOptionList(options));
    }
    return Status::Ok();
  }

  Result<ConnectorClause> ParseConnector() {
    ConnectorClause connector;
    connector.position = Current().position;
    LAMINAR_ASSIGN_OR_RETURN(Identifier name, ParseAnyWord("a connector name such as KAFKA"));
    connector.name = std::move(name.name);
    if (Is(TokenKind::kLeftParen)) {
      connector.has_option_list = true;
      LAMINAR_RETURN_IF_ERROR(ParseOptionList(connector.options));
    }
    return connector;
  }

  /// ( key = value, ... ), possibly empty.
  Status ParseOptionList(std::vector<Option>& options) {
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
    if (Consume(TokenKind::kRightParen)) return Status::Ok();
    do {
      Option option;
      option.position = Current().position;
      if (Is(TokenKind::kString)) {
        option.key = Current().text;
        Advance();
      } else {
        LAMINAR_ASSIGN_OR_RETURN(Identifier key, ParseAnyWord("an option name"));
        option.key = std::move(key.name);
        while (Is(TokenKind::kDot)) {
          Advance();
          LAMINAR_ASSIGN_OR_RETURN(Identifier part, ParseAnyWord("an option name"));
          option.key += ".";
          option.key += part.name;
        }
      }
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kEqual));
      LAMINAR_ASSIGN_OR_RETURN(option.value, ParseSettingValue());
      options.push_back(std::move(option));
    } while (Consume(TokenKind::kComma));
    return Expect(TokenKind::kRightParen);
  }

  /// The value of an option or SET: an expression, or a bare word such as ON or OFF.
  Result<ExprPtr> ParseSettingValue() {
    const Token& next = Ahead(1);
    bool value_ends = next.kind == TokenKind::kComma || next.kind == TokenKind::kRightParen ||
                      next.kind == TokenKind::kSemicolon || next.kind == TokenKind::kEndOfInput;
    if (Is(TokenKind::kIdentifier) && value_ends && IsReservedKeyword(Current().keyword_id) &&
        !IsKeyword("true") && !IsKeyword("false") && !IsKeyword("null")) {
      auto word = std::make_unique<ColumnRefExpression>();
      word->position = Current().position;
      word->parts.emplace_back(Current().text);
      Advance();
      word->end_offset = PreviousEnd();
      return ExprPtr(std::move(word));
    }
    return ParseExpr();
  }

  Status ParseTableElements(TableElements& elements) {
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
    do {
      if (IsKeyword("primary")) {
        const Token& primary = Current();
        Advance();
        LAMINAR_RETURN_IF_ERROR(ExpectKeyword("key"));
        if (!elements.primary_key.empty()) {
          return SyntaxError(primary, "only one PRIMARY KEY is allowed");
        }
        LAMINAR_ASSIGN_OR_RETURN(elements.primary_key, ParseParenthesizedIdentifiers());
      } else if (IsKeyword("watermark") && Ahead(1).IsKeyword("for")) {
        WatermarkDefinition watermark;
        watermark.position = Current().position;
        if (elements.watermark.has_value()) {
          return SyntaxError(Current(), "only one WATERMARK is allowed");
        }
        Advance();
        Advance();
        LAMINAR_ASSIGN_OR_RETURN(watermark.column, ParseIdentifier());
        if (ConsumeKeyword("as")) {
          LAMINAR_ASSIGN_OR_RETURN(watermark.expr, ParseExpr());
        }
        elements.watermark = std::move(watermark);
      } else {
        if (!IsName(Current())) {
          return ErrorExpected("a column definition, PRIMARY KEY or WATERMARK FOR");
        }
        ColumnDefinition column;
        column.position = Current().position;
        LAMINAR_ASSIGN_OR_RETURN(column.name, ParseIdentifier());
        LAMINAR_ASSIGN_OR_RETURN(column.type, ParseTypeName());
        while (true) {
          if (IsKeyword("not") && Ahead(1).IsKeyword("null")) {
            Advance();
            Advance();
            column.not_null = true;
          } else if (ConsumeKeyword("null")) {
            column.not_null = false;
          } else if (IsKeyword("primary")) {
            const Token& primary = Current();
            Advance();
            LAMINAR_RETURN_IF_ERROR(ExpectKeyword("key"));
            if (!elements.primary_key.empty()) {
              return SyntaxError(primary, "only one PRIMARY KEY is allowed");
            }
            elements.primary_key.push_back(column.name);
          } else {
            break;
          }
        }
        elements.columns.push_back(std::move(column));
      }
    } while (Consume(TokenKind::kComma));
    return Expect(TokenKind::kRightParen);
  }

  Result<TypeName> ParseTypeName() {
    TypeName type;
    type.position = Current().position;
    if (!IsName(Current())) return ErrorExpected("a type name");
    type.name = Current().text;
    Advance();
    if (type.name == "double" && ConsumeKeyword("precision")) {
      type.name = "double precision";
    } else if ((type.name == "character" || type.name == "char") && ConsumeKeyword("varying")) {
      type.name = "varchar";
    }
    if (Consume(TokenKind::kLeftParen)) {
      do {
        LAMINAR_ASSIGN_OR_RETURN(int64_t param, ParseInteger());
        type.params.push_back(param);
      } while (Consume(TokenKind::kComma));
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
    }
    if ((type.name == "timestamp" || type.name == "time") &&
        (IsKeyword("with") || IsKeyword("without")) && Ahead(1).IsKeyword("time")) {
      bool with = IsKeyword("with");
      Advance();
      Advance();
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("zone"));
      type.name += with ? " with time zone" : " without time zone";
    }
    return type;
  }

  Result<StatementPtr> ParseCreateStream(CreateHeader header, bool materialized_view) {
    auto statement = std::make_unique<CreateStreamStatement>();
    statement->header = std::move(header);
    statement->materialized_view = materialized_view;
    if (ConsumeKeyword("with")) {
      LAMINAR_RETURN_IF_ERROR(ParseOptionList(statement->options));
    }
    LAMINAR_RETURN_IF_ERROR(ExpectKeyword("as"));
    LAMINAR_ASSIGN_OR_RETURN(statement->query, ParseQuery());
    if (ConsumeKeyword("with")) {
      if (!statement->options.empty()) return SyntaxError(Current(), "WITH given twice");
      LAMINAR_RETURN_IF_ERROR(ParseOptionList(statement->options));
    }
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseCreateSink(CreateHeader header) {
    auto statement = std::make_unique<CreateSinkStatement>();
    statement->header = std::move(header);
    if (ConsumeKeyword("from")) {
      LAMINAR_ASSIGN_OR_RETURN(statement->from, ParseObjectName());
      if (ConsumeKeyword("where")) {
        LAMINAR_ASSIGN_OR_RETURN(statement->where, ParseExpr());
      }
      if (ConsumeKeyword("into")) {
        LAMINAR_ASSIGN_OR_RETURN(statement->connector, ParseConnector());
      }
      LAMINAR_RETURN_IF_ERROR(ParseFormatAndOptions(statement->format, statement->options));
      return StatementPtr(std::move(statement));
    }
    if (ConsumeKeyword("into")) {
      LAMINAR_ASSIGN_OR_RETURN(statement->connector, ParseConnector());
      LAMINAR_RETURN_IF_ERROR(ParseFormatAndOptions(statement->format, statement->options));
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("as"));
    } else if (!ConsumeKeyword("as")) {
      return ErrorExpected("FROM, INTO or AS");
    }
    LAMINAR_ASSIGN_OR_RETURN(statement->query, ParseQuery());
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseInsert() {
    Advance();  // INSERT
    LAMINAR_RETURN_IF_ERROR(ExpectKeyword("into"));
    auto statement = std::make_unique<InsertStatement>();
    LAMINAR_ASSIGN_OR_RETURN(statement->table, ParseObjectName());
    if (Is(TokenKind::kLeftParen) && !Ahead(1).IsKeyword("select") && !Ahead(1).IsKeyword("with") &&
        !Ahead(1).IsKeyword("values") && Ahead(1).kind != TokenKind::kLeftParen) {
      LAMINAR_ASSIGN_OR_RETURN(statement->columns, ParseParenthesizedIdentifiers());
    }
    if (!IsQueryStart()) return ErrorExpected("VALUES or SELECT");
    LAMINAR_ASSIGN_OR_RETURN(statement->query, ParseQuery());
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseUpdate() {
    Advance();  // UPDATE
    auto statement = std::make_unique<UpdateStatement>();
    LAMINAR_ASSIGN_OR_RETURN(statement->table, ParseObjectName());
    LAMINAR_RETURN_IF_ERROR(ExpectKeyword("set"));
    do {
      Assignment assignment;
      LAMINAR_ASSIGN_OR_RETURN(assignment.column, ParseIdentifier());
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kEqual));
      LAMINAR_ASSIGN_OR_RETURN(assignment.value, ParseExpr());
      statement->assignments.push_back(std::move(assignment));
    } while (Consume(TokenKind::kComma));
    if (ConsumeKeyword("where")) {
      LAMINAR_ASSIGN_OR_RETURN(statement->where, ParseExpr());
    }
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseDelete() {
    Advance();  // DELETE
    LAMINAR_RETURN_IF_ERROR(ExpectKeyword("from"));
    auto statement = std::make_unique<DeleteStatement>();
    LAMINAR_ASSIGN_OR_RETURN(statement->table, ParseObjectName());
    if (ConsumeKeyword("where")) {
      LAMINAR_ASSIGN_OR_RETURN(statement->where, ParseExpr());
    }
    return StatementPtr(std::move(statement));
  }

  /// SOURCE, STREAM, MATERIALIZED VIEW, SINK, TABLE, LOOKUP TABLE (singular).
  Result<ObjectKind> ParseObjectKind() {
    if (ConsumeKeyword("source")) return ObjectKind::kSource;
    if (ConsumeKeyword("stream")) return ObjectKind::kStream;
    if (ConsumeKeyword("sink")) return ObjectKind::kSink;
    if (ConsumeKeyword("table")) return ObjectKind::kTable;
    if (IsKeyword("materialized")) {
      Advance();
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("view"));
      return ObjectKind::kMaterializedView;
    }
    if (IsKeyword("lookup")) {
      Advance();
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("table"));
      return ObjectKind::kLookupTable;
    }
    return ErrorExpected("SOURCE, STREAM, MATERIALIZED VIEW, SINK, TABLE or LOOKUP TABLE");
  }

  Result<StatementPtr> ParseDrop() {
    Advance();  // DROP
    auto statement = std::make_unique<DropStatement>();
    LAMINAR_ASSIGN_OR_RETURN(statement->object_kind, ParseObjectKind());
    if (ConsumeKeyword("if")) {
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("exists"));
      statement->if_exists = true;
    }
    LAMINAR_ASSIGN_OR_RETURN(statement->name, ParseObjectName());
    if (ConsumeKeyword("cascade")) {
      statement->cascade = true;
    } else {
      ConsumeKeyword("restrict");
    }
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseShow() {
    Advance();  // SHOW
    std::optional<ObjectKind> plural;
    if (IsKeyword("sources")) {
      plural = ObjectKind::kSource;
    } else if (IsKeyword("streams")) {
      plural = ObjectKind::kStream;
    } else if (IsKeyword("sinks")) {
      plural = ObjectKind::kSink;
    } else if (IsKeyword("tables")) {
      plural = ObjectKind::kTable;
    } else if (IsKeyword("materialized") && Ahead(1).IsKeyword("views")) {
      Advance();
      plural = ObjectKind::kMaterializedView;
    } else if (IsKeyword("lookup") && Ahead(1).IsKeyword("tables")) {
      Advance();
      plural = ObjectKind::kLookupTable;
    }
    if (plural.has_value()) {
      Advance();
      auto statement = std::make_unique<ShowObjectsStatement>();
      statement->object_kind = *plural;
      return StatementPtr(std::move(statement));
    }
    if (ConsumeKeyword("create")) {
      auto statement = std::make_unique<ShowCreateStatement>();
      LAMINAR_ASSIGN_OR_RETURN(statement->object_kind, ParseObjectKind());
      LAMINAR_ASSIGN_OR_RETURN(statement->name, ParseObjectName());
      return StatementPtr(std::move(statement));
    }
    auto statement = std::make_unique<ShowVariableStatement>();
    statement->name.position = Current().position;
    LAMINAR_ASSIGN_OR_RETURN(Identifier first,
                             ParseAnyWord("SOURCES, STREAMS, SINKS, TABLES, MATERIALIZED VIEWS, "
                                          "CREATE or a setting name"));
    statement->name.parts.push_back(std::move(first.name));
    while (Consume(TokenKind::kDot)) {
      LAMINAR_ASSIGN_OR_RETURN(Identifier part, ParseAnyWord());
      statement->name.parts.push_back(std::move(part.name));
    }
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseDescribe() {
    Advance();  // DESCRIBE
    auto statement = std::make_unique<DescribeStatement>();
    LAMINAR_ASSIGN_OR_RETURN(statement->name, ParseObjectName());
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseExplain() {
    Advance();  // EXPLAIN
    auto statement = std::make_unique<ExplainStatement>();
    statement->analyze = ConsumeKeyword("analyze");
    LAMINAR_ASSIGN_OR_RETURN(statement->statement, ParseStatement());
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseRestore() {
    Advance();  // RESTORE
    LAMINAR_RETURN_IF_ERROR(ExpectKeyword("from"));
    LAMINAR_RETURN_IF_ERROR(ExpectKeyword("checkpoint"));
    auto statement = std::make_unique<RestoreStatement>();
    LAMINAR_ASSIGN_OR_RETURN(statement->checkpoint_id, ParseInteger());
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseSet() {
    Advance();  // SET
    auto statement = std::make_unique<SetStatement>();
    statement->name.position = Current().position;
    LAMINAR_ASSIGN_OR_RETURN(Identifier first, ParseAnyWord("a setting name"));
    statement->name.parts.push_back(std::move(first.name));
    while (Consume(TokenKind::kDot)) {
      LAMINAR_ASSIGN_OR_RETURN(Identifier part, ParseAnyWord());
      statement->name.parts.push_back(std::move(part.name));
    }
    if (!Consume(TokenKind::kEqual) && !ConsumeKeyword("to")) return ErrorExpected("\"=\" or TO");
    LAMINAR_ASSIGN_OR_RETURN(statement->value, ParseSettingValue());
    return StatementPtr(std::move(statement));
  }

  Result<StatementPtr> ParseSubscribe() {
    Advance();  // SUBSCRIBE
    auto statement = std::make_unique<SubscribeStatement>();
    LAMINAR_ASSIGN_OR_RETURN(statement->name, ParseObjectName());
    if (ConsumeKeyword("where")) {
      LAMINAR_ASSIGN_OR_RETURN(statement->where, ParseExpr());
    }
    return StatementPtr(std::move(statement));
  }

  // ------------------------------------------------------------------------------------------
  // Queries

  Result<QueryPtr> ParseQuery() {
    NestingScope scope(*this);
    LAMINAR_RETURN_IF_ERROR(EnterNesting());
    auto query = std::make_unique<Query>();
    query->position = Current().position;
    if (ConsumeKeyword("with")) {
      query->recursive = ConsumeKeyword("recursive");
      do {
        CommonTableExpression cte;
        LAMINAR_ASSIGN_OR_RETURN(cte.name, ParseIdentifier());
        if (Is(TokenKind::kLeftParen)) {
          LAMINAR_ASSIGN_OR_RETURN(cte.columns, ParseParenthesizedIdentifiers());
        }
        LAMINAR_RETURN_IF_ERROR(ExpectKeyword("as"));
        LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
        LAMINAR_ASSIGN_OR_RETURN(cte.query, ParseQuery());
        LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
        query->with.push_back(std::move(cte));
      } while (Consume(TokenKind::kComma));
    }
    LAMINAR_ASSIGN_OR_RETURN(query->body, ParseSetExpression());
    if (IsKeyword("order")) {
      Advance();
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("by"));
      LAMINAR_ASSIGN_OR_RETURN(query->order_by, ParseOrderByList());
    }
    bool limit_seen = false;
    bool offset_seen = false;
    while (true) {
      if (!limit_seen && ConsumeKeyword("limit")) {
        limit_seen = true;
        if (!ConsumeKeyword("all")) {
          LAMINAR_ASSIGN_OR_RETURN(query->limit, ParseExpr());
        }
      } else if (!offset_seen && ConsumeKeyword("offset")) {
        offset_seen = true;
        LAMINAR_ASSIGN_OR_RETURN(query->offset, ParseExpr());
        if (!ConsumeKeyword("rows")) ConsumeKeyword("row");
      } else {
        break;
      }
    }
    LAMINAR_RETURN_IF_ERROR(ParseStreamingClauses(*query));
    query->end_offset = PreviousEnd();
    return query;
  }

  /// EMIT ..., ALLOWED_LATENESS ..., LATE DATA TO ... in any order, each at most once.
  Status ParseStreamingClauses(Query& query) {
    while (true) {
      if (IsKeyword("emit")) {
        if (query.emit.has_value()) return SyntaxError(Current(), "EMIT given twice");
        EmitClause emit;
        emit.position = Current().position;
        Advance();
        if (ConsumeKeyword("on")) {
          if (ConsumeKeyword("window")) {
            LAMINAR_RETURN_IF_ERROR(ExpectKeyword("close"));
            emit.mode = EmitMode::kOnWindowClose;
          } else if (ConsumeKeyword("update")) {
            emit.mode = EmitMode::kOnUpdate;
          } else {
            return ErrorExpected("WINDOW CLOSE or UPDATE");
          }
        } else if (ConsumeKeyword("final")) {
          emit.mode = EmitMode::kFinal;
        } else if (ConsumeKeyword("changes")) {
          emit.mode = EmitMode::kChanges;
        } else if (ConsumeKeyword("every") || ConsumeKeyword("periodically")) {
          emit.mode = EmitMode::kPeriodic;
          LAMINAR_ASSIGN_OR_RETURN(emit.period, ParseBinary(kPrecedenceOtherOperator));
        } else {
          return ErrorExpected("ON WINDOW CLOSE, FINAL, CHANGES, ON UPDATE or EVERY");
        }
        query.emit = std::move(emit);
      } else if (IsKeyword("allowed_lateness")) {
        if (query.allowed_lateness) return SyntaxError(Current(), "ALLOWED_LATENESS given twice");
        Advance();
        LAMINAR_ASSIGN_OR_RETURN(query.allowed_lateness, ParseBinary(kPrecedenceOtherOperator));
      } else if (IsKeyword("late") && Ahead(1).IsKeyword("data")) {
        if (query.late_data_to.has_value()) {
          return SyntaxError(Current(), "LATE DATA TO given twice");
        }
        Advance();
        Advance();
        LAMINAR_RETURN_IF_ERROR(ExpectKeyword("to"));
        LAMINAR_ASSIGN_OR_RETURN(query.late_data_to, ParseObjectName());
      } else {
        return Status::Ok();
      }
    }
  }

  Result<std::vector<OrderByItem>> ParseOrderByList() {
    std::vector<OrderByItem> items;
    do {
      OrderByItem item;
      LAMINAR_ASSIGN_OR_RETURN(item.expr, ParseExpr());
      if (ConsumeKeyword("desc")) {
        item.direction = SortDirection::kDescending;
      } else {
        ConsumeKeyword("asc");
      }
      if (ConsumeKeyword("nulls")) {
        if (ConsumeKeyword("first")) {
          item.nulls = NullsOrder::kFirst;
        } else if (ConsumeKeyword("last")) {
          item.nulls = NullsOrder::kLast;
        } else {
          return ErrorExpected("FIRST or LAST");
        }
      }
      items.push_back(std::move(item));
    } while (Consume(TokenKind::kComma));
    return items;
  }

  /// body ((UNION | EXCEPT) [ALL | DISTINCT] body)*, where INTERSECT binds tighter.
  Result<QueryBodyPtr> ParseSetExpression() {
    NestingScope scope(*this);
    SourcePosition start = Current().position;
    LAMINAR_ASSIGN_OR_RETURN(QueryBodyPtr left, ParseIntersectTerm());
    while (IsKeyword("union") || IsKeyword("except")) {
      LAMINAR_RETURN_IF_ERROR(EnterChainLink());
      auto operation = std::make_unique<SetOperationBody>();
      operation->op = IsKeyword("union") ? SetOperator::kUnion : SetOperator::kExcept;
      Advance();
      operation->all = ConsumeKeyword("all");
      if (!operation->all) ConsumeKeyword("distinct");
      operation->left = std::move(left);
      LAMINAR_ASSIGN_OR_RETURN(operation->right, ParseIntersectTerm());
      operation->position = start;
      operation->end_offset = PreviousEnd();
      left = std::move(operation);
    }
    return left;
  }

  Result<QueryBodyPtr> ParseIntersectTerm() {
    NestingScope scope(*this);
    SourcePosition start = Current().position;
    LAMINAR_ASSIGN_OR_RETURN(QueryBodyPtr left, ParseQueryPrimary());
    while (IsKeyword("intersect")) {
      LAMINAR_RETURN_IF_ERROR(EnterChainLink());
      auto operation = std::make_unique<SetOperationBody>();
      operation->op = SetOperator::kIntersect;
      Advance();
      operation->all = ConsumeKeyword("all");
      if (!operation->all) ConsumeKeyword("distinct");
      operation->left = std::move(left);
      LAMINAR_ASSIGN_OR_RETURN(operation->right, ParseQueryPrimary());
      operation->position = start;
      operation->end_offset = PreviousEnd();
      left = std::move(operation);
    }
    return left;
  }

  Result<QueryBodyPtr> ParseQueryPrimary() {
    SourcePosition start = Current().position;
    QueryBodyPtr body;
    if (IsKeyword("select")) {
      LAMINAR_ASSIGN_OR_RETURN(body, ParseSelectBody());
    } else if (IsKeyword("values")) {
      LAMINAR_ASSIGN_OR_RETURN(body, ParseValuesBody());
    } else if (Is(TokenKind::kLeftParen)) {
      Advance();
      auto nested = std::make_unique<NestedQueryBody>();
      LAMINAR_ASSIGN_OR_RETURN(nested->query, ParseQuery());
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
      body = std::move(nested);
    } else {
      return ErrorExpected("SELECT, VALUES or \"(\"");
    }
    body->position = start;
    body->end_offset = PreviousEnd();
    return body;
  }

  Result<QueryBodyPtr> ParseValuesBody() {
    Advance();  // VALUES
    auto values = std::make_unique<ValuesBody>();
    do {
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
      std::vector<ExprPtr> row;
      do {
        LAMINAR_ASSIGN_OR_RETURN(ExprPtr value, ParseExpr());
        row.push_back(std::move(value));
      } while (Consume(TokenKind::kComma));
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
      values->rows.push_back(std::move(row));
    } while (Consume(TokenKind::kComma));
    return QueryBodyPtr(std::move(values));
  }

  Result<QueryBodyPtr> ParseSelectBody() {
    Advance();  // SELECT
    auto select = std::make_unique<SelectBody>();
    select->items.reserve(kListCapacity * 2);
    if (ConsumeKeyword("distinct")) {
      select->distinct = true;
    } else {
      ConsumeKeyword("all");
    }
    do {
      SelectItem item;
      if (Is(TokenKind::kStar)) {
        auto star = std::make_unique<StarExpression>();
        star->position = Current().position;
        Advance();
        star->end_offset = PreviousEnd();
        item.expr = std::move(star);
      } else {
        if (IsKeyword("from")) return ErrorExpected("an expression or \"*\"");
        LAMINAR_ASSIGN_OR_RETURN(item.expr, ParseExpr());
        if (ConsumeKeyword("as")) {
          LAMINAR_ASSIGN_OR_RETURN(item.alias, ParseAnyWord("an alias"));
        } else if (IsName(Current())) {
          const Token& alias_token = Current();
          item.alias = Identifier{std::string(alias_token.text), alias_token.position};
          Advance();
          LAMINAR_RETURN_IF_ERROR(CheckAliasIsNotMisspelledKeyword(
              alias_token,
              {"from", "where", "group", "having", "order", "limit", "union", "qualify", "emit"}));
        }
      }
      select->items.push_back(std::move(item));
    } while (Consume(TokenKind::kComma));
    if (ConsumeKeyword("from")) {
      do {
        LAMINAR_ASSIGN_OR_RETURN(TableRefPtr table, ParseTableRef());
        select->from.push_back(std::move(table));
      } while (Consume(TokenKind::kComma));
    }
    if (ConsumeKeyword("where")) {
      LAMINAR_ASSIGN_OR_RETURN(select->where, ParseExpr());
    }
    if (IsKeyword("group")) {
      Advance();
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("by"));
      do {
        LAMINAR_ASSIGN_OR_RETURN(ExprPtr key, ParseExpr());
        select->group_by.push_back(std::move(key));
      } while (Consume(TokenKind::kComma));
    }
    if (ConsumeKeyword("having")) {
      LAMINAR_ASSIGN_OR_RETURN(select->having, ParseExpr());
    }
    if (ConsumeKeyword("qualify")) {
      LAMINAR_ASSIGN_OR_RETURN(select->qualify, ParseExpr());
    }
    return QueryBodyPtr(std::move(select));
  }

  // ------------------------------------------------------------------------------------------
  // FROM

  bool IsJoinStart() const {
    switch (Current().keyword_id) {
      case Keyword("join").id():
      case Keyword("inner").id():
      case Keyword("left").id():
      case Keyword("right").id():
      case Keyword("full").id():
      case Keyword("cross").id():
      case Keyword("semi").id():
      case Keyword("anti").id():
      case Keyword("asof").id():
      case Keyword("natural").id():
        return true;
      default:
        return false;
    }
  }

  Result<TableRefPtr> ParseTableRef() {
    NestingScope scope(*this);
    LAMINAR_RETURN_IF_ERROR(EnterNesting());
    SourcePosition start = Current().position;
    LAMINAR_ASSIGN_OR_RETURN(TableRefPtr left, ParseTablePrimary());
    while (IsJoinStart()) {
      LAMINAR_RETURN_IF_ERROR(EnterChainLink());
      auto join = std::make_unique<JoinTableRef>();
      join->position = start;
      const Token& join_start = Current();
      join->natural = ConsumeKeyword("natural");
      if (ConsumeKeyword("asof")) {
        join->asof = true;
        if (ConsumeKeyword("left")) join->join_type = JoinType::kLeft;
      } else if (ConsumeKeyword("inner")) {
        join->join_type = JoinType::kInner;
      } else if (ConsumeKeyword("left")) {
        join->join_type = JoinType::kLeft;
        if (ConsumeKeyword("semi")) {
          join->join_type = JoinType::kLeftSemi;
        } else if (ConsumeKeyword("anti")) {
          join->join_type = JoinType::kLeftAnti;
        } else if (ConsumeKeyword("asof")) {
          join->asof = true;
        } else {
          ConsumeKeyword("outer");
        }
      } else if (ConsumeKeyword("right")) {
        join->join_type = JoinType::kRight;
        ConsumeKeyword("outer");
      } else if (ConsumeKeyword("full")) {
        join->join_type = JoinType::kFull;
        ConsumeKeyword("outer");
      } else if (ConsumeKeyword("cross")) {
        join->join_type = JoinType::kCross;
      } else if (ConsumeKeyword("semi")) {
        join->join_type = JoinType::kLeftSemi;
      } else if (ConsumeKeyword("anti")) {
        join->join_type = JoinType::kLeftAnti;
      }
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("join"));
      if (join->natural && (join->asof || join->join_type == JoinType::kCross)) {
        return SyntaxError(join_start, "NATURAL cannot be combined with ASOF or CROSS");
      }
      join->left = std::move(left);
      LAMINAR_ASSIGN_OR_RETURN(join->right, ParseTablePrimary());
      if (join->join_type != JoinType::kCross && !join->natural) {
        LAMINAR_RETURN_IF_ERROR(ParseMatchCondition(*join));
        if (ConsumeKeyword("on")) {
          LAMINAR_ASSIGN_OR_RETURN(join->condition, ParseExpr());
        } else if (ConsumeKeyword("using")) {
          LAMINAR_ASSIGN_OR_RETURN(join->using_columns, ParseParenthesizedIdentifiers());
        } else if (!join->asof || !join->match_condition) {
          return ErrorExpected(join->asof ? "ON, USING or MATCH_CONDITION" : "ON or USING");
        }
        LAMINAR_RETURN_IF_ERROR(ParseMatchCondition(*join));
      }
      join->end_offset = PreviousEnd();
      left = std::move(join);
    }
    return left;
  }

  Status ParseMatchCondition(JoinTableRef& join) {
    if (!IsKeyword("match_condition")) return Status::Ok();
    if (!join.asof) return SyntaxError(Current(), "MATCH_CONDITION needs an ASOF JOIN");
    if (join.match_condition) return SyntaxError(Current(), "MATCH_CONDITION given twice");
    Advance();
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
    LAMINAR_ASSIGN_OR_RETURN(join.match_condition, ParseExpr());
    return Expect(TokenKind::kRightParen);
  }

  bool CanBeImplicitAlias() const {
    if (!IsName(Current())) return false;
    // LATE DATA TO ends a query; `late` alone is still a usable alias.
    if (IsKeyword("late") && Ahead(1).IsKeyword("data")) return false;
    return true;
  }

  Result<std::optional<TableAlias>> ParseOptionalTableAlias() {
    std::optional<TableAlias> alias;
    if (ConsumeKeyword("as")) {
      alias.emplace();
      LAMINAR_ASSIGN_OR_RETURN(alias->name, ParseIdentifier());
    } else if (CanBeImplicitAlias()) {
      const Token& alias_token = Current();
      alias.emplace();
      alias->name = Identifier{std::string(alias_token.text), alias_token.position};
      Advance();
      LAMINAR_RETURN_IF_ERROR(CheckAliasIsNotMisspelledKeyword(
          alias_token, {"where", "group", "having", "order", "limit", "join", "union", "qualify",
                        "inner", "left", "right", "cross", "emit"}));
    } else {
      return alias;
    }
    if (Is(TokenKind::kLeftParen)) {
      LAMINAR_ASSIGN_OR_RETURN(alias->columns, ParseParenthesizedIdentifiers());
    }
    return alias;
  }

  Result<TableRefPtr> ParseTablePrimary() {
    SourcePosition start = Current().position;
    TableRefPtr result;
    if (Is(TokenKind::kLeftParen)) {
      const Token& next = Ahead(1);
      if (next.IsKeyword("select") || next.IsKeyword("with") || next.IsKeyword("values") ||
          next.kind == TokenKind::kLeftParen) {
        Advance();
        auto subquery = std::make_unique<SubqueryTableRef>();
        LAMINAR_ASSIGN_OR_RETURN(subquery->query, ParseQuery());
        LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
        LAMINAR_ASSIGN_OR_RETURN(subquery->alias, ParseOptionalTableAlias());
        result = std::move(subquery);
      } else {
        Advance();
        LAMINAR_ASSIGN_OR_RETURN(result, ParseTableRef());
        LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
        return result;  // A parenthesized join keeps its own span.
      }
    } else if (IsKeyword("table") && Ahead(1).kind == TokenKind::kLeftParen) {
      Advance();
      Advance();
      LAMINAR_ASSIGN_OR_RETURN(ObjectName name, ParseObjectName());
      auto function = std::make_unique<TableFunctionRef>();
      function->name = std::move(name.parts);
      function->table_wrapper = true;
      LAMINAR_RETURN_IF_ERROR(ParseTableFunctionArguments(*function));
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
      LAMINAR_ASSIGN_OR_RETURN(function->alias, ParseOptionalTableAlias());
      result = std::move(function);
    } else {
      if (!IsName(Current())) return ErrorExpected("a table name, \"(\" or TABLE(...)");
      LAMINAR_ASSIGN_OR_RETURN(ObjectName name, ParseObjectName());
      if (Is(TokenKind::kLeftParen)) {
        auto function = std::make_unique<TableFunctionRef>();
        function->name = std::move(name.parts);
        LAMINAR_RETURN_IF_ERROR(ParseTableFunctionArguments(*function));
        LAMINAR_ASSIGN_OR_RETURN(function->alias, ParseOptionalTableAlias());
        result = std::move(function);
      } else {
        auto named = std::make_unique<NamedTableRef>();
        named->name = std::move(name);
        if (IsKeyword("for") && Ahead(1).IsKeyword("system_time")) {
          Advance();
          Advance();
          LAMINAR_RETURN_IF_ERROR(ExpectKeyword("as"));
          LAMINAR_RETURN_IF_ERROR(ExpectKeyword("of"));
          LAMINAR_ASSIGN_OR_RETURN(named->system_time, ParseBinary(kPrecedenceOtherOperator));
        }
        LAMINAR_ASSIGN_OR_RETURN(named->alias, ParseOptionalTableAlias());
        result = std::move(named);
      }
    }
    result->position = start;
    result->end_offset = PreviousEnd();
    return result;
  }

  /// ( [name =>] (TABLE t | DESCRIPTOR(c, ...) | expr), ... )
  Status ParseTableFunctionArguments(TableFunctionRef& function) {
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
    if (Consume(TokenKind::kRightParen)) return Status::Ok();
    do {
      TableFunctionArgument argument;
      argument.position = Current().position;
      if ((Is(TokenKind::kIdentifier) || Is(TokenKind::kQuotedIdentifier)) &&
          Ahead(1).kind == TokenKind::kArrow) {
        argument.name = Identifier{std::string(Current().text), Current().position};
        Advance();
        Advance();
      }
      if (IsKeyword("table")) {
        Advance();
        argument.kind = TableFunctionArgumentKind::kTable;
        LAMINAR_ASSIGN_OR_RETURN(argument.table, ParseObjectName());
      } else if (IsKeyword("descriptor") && Ahead(1).kind == TokenKind::kLeftParen) {
        Advance();
        argument.kind = TableFunctionArgumentKind::kDescriptor;
        LAMINAR_ASSIGN_OR_RETURN(argument.descriptor_columns, ParseParenthesizedIdentifiers());
      } else {
        LAMINAR_ASSIGN_OR_RETURN(argument.expr, ParseExpr());
      }
      function.args.push_back(std::move(argument));
    } while (Consume(TokenKind::kComma));
    return Expect(TokenKind::kRightParen);
  }

  // ------------------------------------------------------------------------------------------
  // Expressions

  Result<ExprPtr> ParseExpr() { return ParseBinary(kPrecedenceOr); }

  template <typename T>
  static std::unique_ptr<T> NewExpression(SourcePosition position) {
    auto expr = std::make_unique<T>();
    expr->position = position;
    return expr;
  }

  static std::optional<BinaryOperator> ComparisonOperator(TokenKind kind) {
    switch (kind) {
      case TokenKind::kEqual:
        return BinaryOperator::kEqual;
      case TokenKind::kNotEqual:
        return BinaryOperator::kNotEqual;
      case TokenKind::kLess:
        return BinaryOperator::kLess;
      case TokenKind::kLessEqual:
        return BinaryOperator::kLessEqual;
      case TokenKind::kGreater:
        return BinaryOperator::kGreater;
      case TokenKind::kGreaterEqual:
        return BinaryOperator::kGreaterEqual;
      default:
        return std::nullopt;
    }
  }

  static std::optional<BinaryOperator> ArithmeticOperator(TokenKind kind, int& precedence) {
    switch (kind) {
      case TokenKind::kPlus:
        precedence = kPrecedenceAdditive;
        return BinaryOperator::kAdd;
      case TokenKind::kMinus:
        precedence = kPrecedenceAdditive;
        return BinaryOperator::kSubtract;
      case TokenKind::kStar:
        precedence = kPrecedenceMultiplicative;
        return BinaryOperator::kMultiply;
      case TokenKind::kSlash:
        precedence = kPrecedenceMultiplicative;
        return BinaryOperator::kDivide;
      case TokenKind::kPercent:
        precedence = kPrecedenceMultiplicative;
        return BinaryOperator::kModulo;
      case TokenKind::kCaret:
        precedence = kPrecedencePower;
        return BinaryOperator::kPower;
      case TokenKind::kConcat:
        precedence = kPrecedenceOtherOperator;
        return BinaryOperator::kConcat;
      default:
        return std::nullopt;
    }
  }

  /// Whether the current token begins NOT BETWEEN / NOT IN / NOT LIKE / NOT ILIKE, or the
  /// same without NOT.
  bool IsPredicateOperator() const {
    size_t at = IsKeyword("not") ? 1 : 0;
    const Token& token = Ahead(at);
    return token.IsKeyword("between") || token.IsKeyword("in") || token.IsKeyword("like") ||
           token.IsKeyword("ilike");
  }

  /// The precedence of the binary operator (or IS, [NOT] BETWEEN / IN / LIKE, ::) that the
  /// current token starts; 0 when it starts none. One switch instead of a chain of tests, as
  /// ParseBinary asks after every operand.
  int BinaryOperatorPrecedence() const {
    const Token& token = Current();
    switch (token.kind) {
      case TokenKind::kIdentifier:
        switch (token.keyword_id) {
          case Keyword("or").id():
            return kPrecedenceOr;
          case Keyword("and").id():
            return kPrecedenceAnd;
          case Keyword("is").id():
            return kPrecedenceIs;
          case Keyword("not").id():
          case Keyword("between").id():
          case Keyword("in").id():
          case Keyword("like").id():
          case Keyword("ilike").id():
            return IsPredicateOperator() ? kPrecedenceBetweenInLike : 0;
          default:
            return 0;
        }
      case TokenKind::kEqual:
      case TokenKind::kNotEqual:
      case TokenKind::kLess:
      case TokenKind::kLessEqual:
      case TokenKind::kGreater:
      case TokenKind::kGreaterEqual:
        return kPrecedenceComparison;
      case TokenKind::kDoubleColon:
        return kPrecedenceCast;
      default: {
        int precedence = 0;
        return ArithmeticOperator(token.kind, precedence).has_value() ? precedence : 0;
      }
    }
  }

  /// Precedence climbing: parses an expression whose operators all bind at least as tightly as
  /// `min_precedence`.
  Result<ExprPtr> ParseBinary(int min_precedence) {
    NestingScope scope(*this);
    LAMINAR_RETURN_IF_ERROR(EnterNesting());
    SourcePosition start = Current().position;
    LAMINAR_ASSIGN_OR_RETURN(ExprPtr left, ParsePrefix());
    while (true) {
      const Token& token = Current();
      int precedence = BinaryOperatorPrecedence();
      if (precedence == 0 || precedence < min_precedence) break;

      if (precedence == kPrecedenceOr || precedence == kPrecedenceAnd) {
        // Flat n-ary node: long predicate chains stay shallow.
        auto logical = NewExpression<LogicalExpression>(start);
        logical->operands.reserve(kListCapacity);
        logical->op = precedence == kPrecedenceOr ? LogicalOperator::kOr : LogicalOperator::kAnd;
        Keyword word = precedence == kPrecedenceOr ? Keyword("or") : Keyword("and");
        logical->operands.push_back(std::move(left));
        while (ConsumeKeyword(word)) {
          LAMINAR_ASSIGN_OR_RETURN(ExprPtr operand, ParseBinary(precedence + 1));
          logical->operands.push_back(std::move(operand));
        }
        left = std::move(logical);
      } else {
        LAMINAR_RETURN_IF_ERROR(EnterChainLink());
        if (precedence == kPrecedenceIs) {
          LAMINAR_ASSIGN_OR_RETURN(left, ParseIsSuffix(std::move(left), start));
        } else if (precedence == kPrecedenceComparison) {
          auto binary = NewExpression<BinaryExpression>(start);
          binary->op = *ComparisonOperator(token.kind);
          Advance();
          binary->left = std::move(left);
          LAMINAR_ASSIGN_OR_RETURN(binary->right, ParseBinary(precedence + 1));
          left = std::move(binary);
        } else if (precedence == kPrecedenceBetweenInLike) {
          LAMINAR_ASSIGN_OR_RETURN(left, ParsePredicateSuffix(std::move(left), start));
        } else if (precedence == kPrecedenceCast) {
          Advance();
          auto cast = NewExpression<CastExpression>(start);
          cast->operand = std::move(left);
          cast->double_colon = true;
          LAMINAR_ASSIGN_OR_RETURN(cast->type, ParseTypeName());
          left = std::move(cast);
        } else {
          auto binary = NewExpression<BinaryExpression>(start);
          binary->op = *ArithmeticOperator(token.kind, precedence);
          Advance();
          binary->left = std::move(left);
          LAMINAR_ASSIGN_OR_RETURN(binary->right, ParseBinary(precedence + 1));
          left = std::move(binary);
        }
      }
      left->end_offset = PreviousEnd();
    }
    return left;
  }

  Result<ExprPtr> ParseIsSuffix(ExprPtr operand, SourcePosition start) {
    Advance();  // IS
    bool negated = ConsumeKeyword("not");
    if (ConsumeKeyword("distinct")) {
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("from"));
      auto binary = NewExpression<BinaryExpression>(start);
      binary->op = negated ? BinaryOperator::kIsNotDistinctFrom : BinaryOperator::kIsDistinctFrom;
      binary->left = std::move(operand);
      LAMINAR_ASSIGN_OR_RETURN(binary->right, ParseBinary(kPrecedenceComparison));
      return ExprPtr(std::move(binary));
    }
    auto is = NewExpression<IsExpression>(start);
    is->operand = std::move(operand);
    is->negated = negated;
    if (ConsumeKeyword("null")) {
      is->test = IsTest::kNull;
    } else if (ConsumeKeyword("true")) {
      is->test = IsTest::kTrue;
    } else if (ConsumeKeyword("false")) {
      is->test = IsTest::kFalse;
    } else if (ConsumeKeyword("unknown")) {
      is->test = IsTest::kUnknown;
    } else {
      return ErrorExpected("NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM");
    }
    return ExprPtr(std::move(is));
  }

  /// [NOT] BETWEEN / IN / LIKE / ILIKE after the operand.
  Result<ExprPtr> ParsePredicateSuffix(ExprPtr operand, SourcePosition start) {
    bool negated = ConsumeKeyword("not");
    if (ConsumeKeyword("between")) {
      auto between = NewExpression<BetweenExpression>(start);
      between->operand = std::move(operand);
      between->negated = negated;
      between->symmetric = ConsumeKeyword("symmetric");
      if (!between->symmetric) ConsumeKeyword("asymmetric");
      LAMINAR_ASSIGN_OR_RETURN(between->low, ParseBinary(kPrecedenceOtherOperator));
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("and"));
      LAMINAR_ASSIGN_OR_RETURN(between->high, ParseBinary(kPrecedenceOtherOperator));
      return ExprPtr(std::move(between));
    }
    if (ConsumeKeyword("in")) {
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
      if (IsKeyword("select") || IsKeyword("with") || IsKeyword("values")) {
        auto in = NewExpression<InSubqueryExpression>(start);
        in->operand = std::move(operand);
        in->negated = negated;
        LAMINAR_ASSIGN_OR_RETURN(in->query, ParseQuery());
        LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
        return ExprPtr(std::move(in));
      }
      auto in = NewExpression<InListExpression>(start);
      in->items.reserve(kListCapacity);
      in->operand = std::move(operand);
      in->negated = negated;
      do {
        LAMINAR_ASSIGN_OR_RETURN(ExprPtr item, ParseExpr());
        in->items.push_back(std::move(item));
      } while (Consume(TokenKind::kComma));
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
      return ExprPtr(std::move(in));
    }
    auto like = NewExpression<LikeExpression>(start);
    if (ConsumeKeyword("ilike")) {
      like->case_insensitive = true;
    } else {
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("like"));
    }
    like->operand = std::move(operand);
    like->negated = negated;
    LAMINAR_ASSIGN_OR_RETURN(like->pattern, ParseBinary(kPrecedenceOtherOperator));
    if (ConsumeKeyword("escape")) {
      LAMINAR_ASSIGN_OR_RETURN(like->escape, ParseBinary(kPrecedenceOtherOperator));
    }
    return ExprPtr(std::move(like));
  }

  Result<ExprPtr> ParsePrefix() {
    SourcePosition start = Current().position;
    std::optional<UnaryOperator> op;
    int operand_precedence = kPrecedenceUnary;
    if (Is(TokenKind::kMinus)) {
      op = UnaryOperator::kNegate;
    } else if (Is(TokenKind::kPlus)) {
      op = UnaryOperator::kPlus;
    } else if (IsKeyword("not")) {
      op = UnaryOperator::kNot;
      operand_precedence = kPrecedenceNot;
    }
    if (!op.has_value()) return ParsePrimary();
    Advance();
    auto unary = NewExpression<UnaryExpression>(start);
    unary->op = *op;
    LAMINAR_ASSIGN_OR_RETURN(unary->operand, ParseBinary(operand_precedence));
    unary->end_offset = PreviousEnd();
    return ExprPtr(std::move(unary));
  }

  Result<ExprPtr> ParsePrimary() {
    SourcePosition start = Current().position;
    Result<ExprPtr> expr = ParsePrimaryBody();
    if (expr.ok()) {
      (*expr)->position = start;
      (*expr)->end_offset = PreviousEnd();
    }
    return expr;
  }

  Result<ExprPtr> MakeLiteral(LiteralKind kind, std::string_view value) {
    auto literal = NewExpression<LiteralExpression>(Current().position);
    literal->literal_kind = kind;
    literal->value = value;
    Advance();
    return ExprPtr(std::move(literal));
  }

  Result<ExprPtr> ParsePrimaryBody() {
    const Token& token = Current();
    SourcePosition start = token.position;
    switch (token.kind) {
      case TokenKind::kInteger:
        return MakeLiteral(LiteralKind::kInteger, token.text);
      case TokenKind::kDecimal:
        return MakeLiteral(LiteralKind::kDecimal, token.text);
      case TokenKind::kString:
        return MakeLiteral(LiteralKind::kString, token.text);
      case TokenKind::kLeftParen:
        return ParseParenthesized();
      case TokenKind::kQuotedIdentifier:
        return ParseNameOrCall();
      case TokenKind::kIdentifier:
        break;
      default:
        return ErrorExpected("an expression");
    }
    if (token.keyword_id == 0) return ParseNameOrCall();  // The common case: a plain name.
    const std::string_view word = token.text;
    const Token& next = Ahead(1);
    bool call = next.kind == TokenKind::kLeftParen;
    switch (token.keyword_id) {
      case Keyword("true").id():
      case Keyword("false").id():
        return MakeLiteral(LiteralKind::kBoolean, word);
      case Keyword("null").id():
        return MakeLiteral(LiteralKind::kNull, "");
      case Keyword("interval").id():
        if (next.kind == TokenKind::kString) return ParseInterval();
        break;
      case Keyword("timestamp").id():
      case Keyword("date").id():
      case Keyword("time").id():
      case Keyword("timestamptz").id():
        if (next.kind == TokenKind::kString) {
          auto literal = NewExpression<TypedLiteralExpression>(start);
          literal->type_name = word;
          literal->value = next.text;
          Advance();
          Advance();
          return ExprPtr(std::move(literal));
        }
        break;
      case Keyword("case").id():
        return ParseCase();
      case Keyword("cast").id():
      case Keyword("try_cast").id():
        if (call) return ParseCast();
        break;
      case Keyword("exists").id():
        if (call) {
          Advance();
          Advance();
          auto exists = NewExpression<ExistsExpression>(start);
          LAMINAR_ASSIGN_OR_RETURN(exists->query, ParseQuery());
          LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
          return ExprPtr(std::move(exists));
        }
        break;
      case Keyword("extract").id():
        if (call) return ParseExtract();
        break;
      case Keyword("substring").id():
        if (call) return ParseSubstring();
        break;
      case Keyword("current_timestamp").id():
      case Keyword("current_date").id():
      case Keyword("current_time").id():
      case Keyword("localtimestamp").id():
      case Keyword("localtime").id():
        if (!call) {
          auto function = NewExpression<FunctionCallExpression>(start);
          function->name.emplace_back(word);
          function->no_parentheses = true;
          Advance();
          return ExprPtr(std::move(function));
        }
        return ParseNameOrCall();  // With parentheses, an ordinary call despite the reserved word.
      case Keyword("left").id():
      case Keyword("right").id():
        if (call) return ParseNameOrCall();  // The string functions left(s, n) and right(s, n).
        break;
      default:
        break;
    }
    if (IsReservedKeyword(token.keyword_id)) return ErrorExpected("an expression");
    return ParseNameOrCall();
  }

  /// ( expr ) or ( query ).
  Result<ExprPtr> ParseParenthesized() {
    SourcePosition start = Current().position;
    Advance();  // (
    if (IsKeyword("select") || IsKeyword("with") || IsKeyword("values")) {
      auto subquery = NewExpression<SubqueryExpression>(start);
      LAMINAR_ASSIGN_OR_RETURN(subquery->query, ParseQuery());
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
      return ExprPtr(std::move(subquery));
    }
    LAMINAR_ASSIGN_OR_RETURN(ExprPtr inner, ParseExpr());
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
    return inner;
  }

  Result<ExprPtr> ParseInterval() {
    SourcePosition start = Current().position;
    Advance();  // INTERVAL
    auto interval = NewExpression<IntervalLiteralExpression>(start);
    interval->value = Current().text;
    Advance();
    if (Is(TokenKind::kIdentifier)) {
      if (auto field = IntervalFieldFromWord(Current().text)) {
        interval->leading_field = field;
        Advance();
        if (IsKeyword("to")) {
          const Token& to = Ahead(1);
          std::optional<IntervalField> trailing;
          if (to.kind == TokenKind::kIdentifier) trailing = IntervalFieldFromWord(to.text);
          if (trailing.has_value()) {
            Advance();
            Advance();
            interval->trailing_field = trailing;
          }
        }
      }
    }
    return ExprPtr(std::move(interval));
  }

  Result<ExprPtr> ParseCase() {
    SourcePosition start = Current().position;
    Advance();  // CASE
    auto case_expr = NewExpression<CaseExpression>(start);
    if (!IsKeyword("when")) {
      LAMINAR_ASSIGN_OR_RETURN(case_expr->operand, ParseExpr());
    }
    if (!IsKeyword("when")) return ErrorExpected("WHEN");
    while (ConsumeKeyword("when")) {
      WhenClause clause;
      LAMINAR_ASSIGN_OR_RETURN(clause.condition, ParseExpr());
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("then"));
      LAMINAR_ASSIGN_OR_RETURN(clause.result, ParseExpr());
      case_expr->when_clauses.push_back(std::move(clause));
    }
    if (ConsumeKeyword("else")) {
      LAMINAR_ASSIGN_OR_RETURN(case_expr->else_result, ParseExpr());
    }
    LAMINAR_RETURN_IF_ERROR(ExpectKeyword("end"));
    return ExprPtr(std::move(case_expr));
  }

  Result<ExprPtr> ParseCast() {
    SourcePosition start = Current().position;
    auto cast = NewExpression<CastExpression>(start);
    cast->try_cast = IsKeyword("try_cast");
    Advance();
    Advance();  // (
    LAMINAR_ASSIGN_OR_RETURN(cast->operand, ParseExpr());
    LAMINAR_RETURN_IF_ERROR(ExpectKeyword("as"));
    LAMINAR_ASSIGN_OR_RETURN(cast->type, ParseTypeName());
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
    return ExprPtr(std::move(cast));
  }

  Result<ExprPtr> ParseExtract() {
    SourcePosition start = Current().position;
    Advance();
    Advance();  // (
    auto extract = NewExpression<ExtractExpression>(start);
    if (Is(TokenKind::kString)) {
      extract->field = Current().text;
      Advance();
    } else {
      LAMINAR_ASSIGN_OR_RETURN(Identifier field, ParseAnyWord("a field such as HOUR"));
      extract->field = std::move(field.name);
    }
    LAMINAR_RETURN_IF_ERROR(ExpectKeyword("from"));
    LAMINAR_ASSIGN_OR_RETURN(extract->source, ParseExpr());
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
    return ExprPtr(std::move(extract));
  }

  /// SUBSTRING(x FROM a [FOR b]) / SUBSTRING(x FOR b), or the plain call SUBSTRING(x, a, b).
  Result<ExprPtr> ParseSubstring() {
    SourcePosition start = Current().position;
    const Token& name_token = Current();
    Advance();
    Advance();  // (
    LAMINAR_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr());
    if (IsKeyword("from") || IsKeyword("for")) {
      auto substring = NewExpression<SubstringExpression>(start);
      substring->operand = std::move(operand);
      if (ConsumeKeyword("from")) {
        LAMINAR_ASSIGN_OR_RETURN(substring->start, ParseExpr());
      }
      if (ConsumeKeyword("for")) {
        LAMINAR_ASSIGN_OR_RETURN(substring->length, ParseExpr());
      }
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
      return ExprPtr(std::move(substring));
    }
    auto function = NewExpression<FunctionCallExpression>(start);
    function->name.emplace_back(name_token.text);
    function->args.push_back(std::move(operand));
    while (Consume(TokenKind::kComma)) {
      LAMINAR_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpr());
      function->args.push_back(std::move(arg));
    }
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
    LAMINAR_RETURN_IF_ERROR(ParseCallSuffix(*function));
    return ExprPtr(std::move(function));
  }

  /// A column reference a.b.c, a star t.*, or a function call f(...).
  Result<ExprPtr> ParseNameOrCall() {
    SourcePosition start = Current().position;
    std::vector<std::string> parts;
    parts.reserve(Ahead(1).kind == TokenKind::kDot ? 2 : 1);  // One allocation for `t.column`.
    parts.emplace_back(Current().text);
    Advance();
    while (Is(TokenKind::kDot)) {
      Advance();
      if (Is(TokenKind::kStar)) {
        Advance();
        auto star = NewExpression<StarExpression>(start);
        star->qualifier = std::move(parts);
        return ExprPtr(std::move(star));
      }
      // ParseAnyWord, without building an Identifier.
      if (!Is(TokenKind::kIdentifier) && !Is(TokenKind::kQuotedIdentifier)) {
        return ErrorExpected("a name or \"*\" after \".\"");
      }
      parts.emplace_back(Current().text);
      Advance();
    }
    if (!Is(TokenKind::kLeftParen)) {
      auto column = NewExpression<ColumnRefExpression>(start);
      column->parts = std::move(parts);
      return ExprPtr(std::move(column));
    }
    Advance();  // (
    auto function = NewExpression<FunctionCallExpression>(start);
    function->name = std::move(parts);
    function->args.reserve(kListCapacity);
    if (Is(TokenKind::kStar)) {
      Advance();
      function->star_argument = true;
    } else if (function->name.size() == 1 && function->name[0] == "position" &&
               !Is(TokenKind::kRightParen)) {
      // POSITION(needle IN haystack), the SQL standard's form, is position(needle, haystack).
      // The needle is parsed above the precedence of IN so that IN ends it.
      LAMINAR_ASSIGN_OR_RETURN(ExprPtr needle, ParseBinary(kPrecedenceOtherOperator));
      function->args.push_back(std::move(needle));
      if (ConsumeKeyword("in")) {
        LAMINAR_ASSIGN_OR_RETURN(ExprPtr haystack, ParseExpr());
        function->args.push_back(std::move(haystack));
      } else {
        while (Consume(TokenKind::kComma)) {
          LAMINAR_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpr());
          function->args.push_back(std::move(arg));
        }
      }
    } else if (!Is(TokenKind::kRightParen)) {
      if (ConsumeKeyword("distinct")) {
        function->distinct = true;
      } else {
        ConsumeKeyword("all");
      }
      do {
        LAMINAR_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpr());
        function->args.push_back(std::move(arg));
      } while (Consume(TokenKind::kComma));
    }
    LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
    LAMINAR_RETURN_IF_ERROR(ParseCallSuffix(*function));
    return ExprPtr(std::move(function));
  }

  /// [FILTER (WHERE ...)] [OVER (...)].
  Status ParseCallSuffix(FunctionCallExpression& function) {
    if (IsKeyword("filter") && Ahead(1).kind == TokenKind::kLeftParen) {
      Advance();
      Advance();
      LAMINAR_RETURN_IF_ERROR(ExpectKeyword("where"));
      LAMINAR_ASSIGN_OR_RETURN(function.filter, ParseExpr());
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
    }
    if (ConsumeKeyword("over")) {
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
      WindowSpecification window;
      if (IsKeyword("partition")) {
        Advance();
        LAMINAR_RETURN_IF_ERROR(ExpectKeyword("by"));
        do {
          LAMINAR_ASSIGN_OR_RETURN(ExprPtr key, ParseExpr());
          window.partition_by.push_back(std::move(key));
        } while (Consume(TokenKind::kComma));
      }
      if (IsKeyword("order")) {
        Advance();
        LAMINAR_RETURN_IF_ERROR(ExpectKeyword("by"));
        LAMINAR_ASSIGN_OR_RETURN(window.order_by, ParseOrderByList());
      }
      if (IsKeyword("rows") || IsKeyword("range") || IsKeyword("groups")) {
        WindowFrame frame;
        frame.unit = IsKeyword("rows")    ? FrameUnit::kRows
                     : IsKeyword("range") ? FrameUnit::kRange
                                          : FrameUnit::kGroups;
        Advance();
        if (ConsumeKeyword("between")) {
          LAMINAR_ASSIGN_OR_RETURN(frame.start, ParseFrameBound());
          LAMINAR_RETURN_IF_ERROR(ExpectKeyword("and"));
          LAMINAR_ASSIGN_OR_RETURN(frame.end, ParseFrameBound());
        } else {
          LAMINAR_ASSIGN_OR_RETURN(frame.start, ParseFrameBound());
        }
        window.frame = std::move(frame);
      }
      LAMINAR_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
      function.over = std::move(window);
    }
    return Status::Ok();
  }

  Result<FrameBound> ParseFrameBound() {
    FrameBound bound;
    if (ConsumeKeyword("unbounded")) {
      if (ConsumeKeyword("preceding")) {
        bound.kind = FrameBoundKind::kUnboundedPreceding;
      } else if (ConsumeKeyword("following")) {
        bound.kind = FrameBoundKind::kUnboundedFollowing;
      } else {
        return ErrorExpected("PRECEDING or FOLLOWING");
      }
      return bound;
    }
    if (IsKeyword("current") && Ahead(1).IsKeyword("row")) {
      Advance();
      Advance();
      bound.kind = FrameBoundKind::kCurrentRow;
      return bound;
    }
    LAMINAR_ASSIGN_OR_RETURN(bound.offset, ParseBinary(kPrecedenceOtherOperator));
    if (ConsumeKeyword("preceding")) {
      bound.kind = FrameBoundKind::kPreceding;
    } else if (ConsumeKeyword("following")) {
      bound.kind = FrameBoundKind::kFollowing;
    } else {
      return ErrorExpected("PRECEDING or FOLLOWING");
    }
    return bound;
  }

  /// The tokens, held as a pointer and the index of the last (kEndOfInput) one rather than as
  /// a vector reference: token accesses are the parser's most frequent operation.
  const Token* tokens_;
  size_t last_index_;
  ParserLimits limits_;
  size_t index_ = 0;
  uint32_t depth_ = 0;
  uint32_t peak_depth_ = 0;
};

/// The tokens of one parse, borrowed from a per-thread buffer and given back with their
/// capacity when the parse ends. Tokens are about 56 bytes, so a statement's tokens are one
/// large allocation; large allocations make glibc consolidate its free lists, which made every
/// parse pay for freeing the previous statement's syntax tree. Buffers that grew past
/// kMaxRetainedTokens tokens (or as many bytes of decoded text) are freed rather than kept, so
/// one huge script does not pin its memory.
/// Thread-safe: each thread has its own buffer, and a nested parse would find it empty.
class BorrowedTokens {
 public:
  BorrowedTokens() : tokenized_(std::move(ThreadBuffer())) {}
  ~BorrowedTokens() {
    if (tokenized_.tokens.capacity() > kMaxRetainedTokens ||
        tokenized_.decoded.capacity() > kMaxRetainedTokens) {
      return;
    }
    tokenized_.tokens.clear();
    tokenized_.decoded.clear();
    ThreadBuffer() = std::move(tokenized_);
  }
  BorrowedTokens(const BorrowedTokens&) = delete;
  BorrowedTokens& operator=(const BorrowedTokens&) = delete;

  TokenizedText& tokenized() { return tokenized_; }
  const std::vector<Token>& tokens() const { return tokenized_.tokens; }

 private:
  static constexpr size_t kMaxRetainedTokens = 16384;

  static TokenizedText& ThreadBuffer() {
    thread_local TokenizedText buffer;
    return buffer;
  }

  TokenizedText tokenized_;
};

Status CheckSize(std::string_view text, const ParserLimits& limits) {
  if (text.size() > limits.max_text_bytes) {
    return Status::Error(ErrorCode::kStatementTooLarge,
                         "SQL text of {} bytes exceeds the limit of {} bytes", text.size(),
                         limits.max_text_bytes)
        .WithPosition(SourcePosition{1, 1, 0});
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<StatementPtr>> ParseScript(std::string_view text, const ParserLimits& limits) {
  LAMINAR_RETURN_IF_ERROR(CheckSize(text, limits));
  BorrowedTokens tokens;
  LAMINAR_RETURN_IF_ERROR(TokenizeInto(text, tokens.tokenized()));
  return Parser(tokens.tokens(), limits).ParseScript();
}

Result<StatementPtr> ParseStatement(std::string_view text, const ParserLimits& limits) {
  LAMINAR_RETURN_IF_ERROR(CheckSize(text, limits));
  BorrowedTokens tokens;
  LAMINAR_RETURN_IF_ERROR(TokenizeInto(text, tokens.tokenized()));
  return Parser(tokens.tokens(), limits).ParseSingleStatement();
}

Result<ExprPtr> ParseExpression(std::string_view text, const ParserLimits& limits) {
  LAMINAR_RETURN_IF_ERROR(CheckSize(text, limits));
  BorrowedTokens tokens;
  LAMINAR_RETURN_IF_ERROR(TokenizeInto(text, tokens.tokenized()));
  return Parser(tokens.tokens(), limits).ParseStandaloneExpression();
}

}  // namespace laminar::sql
