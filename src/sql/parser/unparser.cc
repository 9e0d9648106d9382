#include "sql/parser/unparser.h"

#include <string_view>

#include "sql/parser/keywords.h"

namespace laminar::sql {

namespace {

bool IsSimpleWord(std::string_view word) {
  if (word.empty()) return false;
  char first = word.front();
  if (!((first >= 'a' && first <= 'z') || first == '_')) return false;
  for (char c : word) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$')) {
      return false;
    }
  }
  return true;
}

std::string UpperCase(std::string_view word) {
  std::string upper(word);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

/// How tightly an expression binds when printed bare; mirrors the parser's table.
int PrecedenceOf(const Expression& expr) {
  switch (expr.kind) {
    case ExpressionKind::kLogical:
      return expr.As<LogicalExpression>().op == LogicalOperator::kOr ? 1 : 2;
    case ExpressionKind::kUnary:
      return expr.As<UnaryExpression>().op == UnaryOperator::kNot ? 3 : 11;
    case ExpressionKind::kIs:
      return 4;
    case ExpressionKind::kBinary:
      switch (expr.As<BinaryExpression>().op) {
        case BinaryOperator::kIsDistinctFrom:
        case BinaryOperator::kIsNotDistinctFrom:
          return 4;
        case BinaryOperator::kEqual:
        case BinaryOperator::kNotEqual:
        case BinaryOperator::kLess:
        case BinaryOperator::kLessEqual:
        case BinaryOperator::kGreater:
        case BinaryOperator::kGreaterEqual:
          return 5;
        case BinaryOperator::kConcat:
          return 7;
        case BinaryOperator::kAdd:
        case BinaryOperator::kSubtract:
          return 8;
        case BinaryOperator::kMultiply:
        case BinaryOperator::kDivide:
        case BinaryOperator::kModulo:
          return 9;
        case BinaryOperator::kPower:
          return 10;
      }
      return 5;
    case ExpressionKind::kBetween:
    case ExpressionKind::kLike:
    case ExpressionKind::kInList:
    case ExpressionKind::kInSubquery:
      return 6;
    case ExpressionKind::kCast:
      return expr.As<CastExpression>().double_colon ? 12 : 13;
    default:
      return 13;
  }
}

std::string_view IntervalFieldText(IntervalField field) {
  switch (field) {
    case IntervalField::kYear:
      return "YEAR";
    case IntervalField::kMonth:
      return "MONTH";
    case IntervalField::kWeek:
      return "WEEK";
    case IntervalField::kDay:
      return "DAY";
    case IntervalField::kHour:
      return "HOUR";
    case IntervalField::kMinute:
      return "MINUTE";
    case IntervalField::kSecond:
      return "SECOND";
    case IntervalField::kMillisecond:
      return "MILLISECOND";
    case IntervalField::kMicrosecond:
      return "MICROSECOND";
  }
  return "SECOND";
}

/// Appends SQL text for trees into one string.
class Unparser {
 public:
  std::string Take() { return std::move(out_); }

  void Name(std::string_view name) { out_ += QuoteIdentifier(name); }

  void Names(const std::vector<std::string>& parts) {
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out_ += '.';
      Name(parts[i]);
    }
  }

  void IdentifierList(const std::vector<Identifier>& identifiers) {
    out_ += '(';
    for (size_t i = 0; i < identifiers.size(); ++i) {
      if (i > 0) out_ += ", ";
      Name(identifiers[i].name);
    }
    out_ += ')';
  }

  /// A keyword-like word (connector, format, type): upper case when it reads back the same.
  void Word(std::string_view word) {
    if (IsSimpleWord(word) && !IsReservedWord(word)) {
      out_ += UpperCase(word);
    } else {
      Name(word);
    }
  }

  void Type(const TypeName& type) {
    bool plain = !type.name.empty() && !IsReservedWord(type.name);
    for (char c : type.name) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ' ')) {
        plain = false;
      }
    }
    // Parameters go before a time-zone suffix: TIMESTAMP(3) WITH TIME ZONE.
    std::string_view name = type.name;
    std::string_view suffix;
    for (std::string_view zone :
         {std::string_view(" with time zone"), std::string_view(" without time zone")}) {
      if (plain && name.size() > zone.size() && name.substr(name.size() - zone.size()) == zone) {
        suffix = zone;
        name.remove_suffix(zone.size());
      }
    }
    if (plain && !(name.front() >= '0' && name.front() <= '9')) {
      out_ += UpperCase(name);
    } else {
      Name(name);
    }
    if (!type.params.empty()) {
      out_ += '(';
      for (size_t i = 0; i < type.params.size(); ++i) {
        if (i > 0) out_ += ", ";
        out_ += std::to_string(type.params[i]);
      }
      out_ += ')';
    }
    out_ += UpperCase(suffix);
  }

  void ExprList(const std::vector<ExprPtr>& exprs) {
    for (size_t i = 0; i < exprs.size(); ++i) {
      if (i > 0) out_ += ", ";
      Expr(*exprs[i]);
    }
  }

  /// `expr`, parenthesized when it binds less tightly than `min_precedence`.
  void Operand(const Expression& expr, int min_precedence) {
    if (PrecedenceOf(expr) < min_precedence) {
      out_ += '(';
      Expr(expr);
      out_ += ')';
    } else {
      Expr(expr);
    }
  }

  void Expr(const Expression& expr) {
    switch (expr.kind) {
      case ExpressionKind::kLiteral: {
        const auto& literal = expr.As<LiteralExpression>();
        switch (literal.literal_kind) {
          case LiteralKind::kInteger:
          case LiteralKind::kDecimal:
            out_ += literal.value;
            break;
          case LiteralKind::kString:
            out_ += QuoteString(literal.value);
            break;
          case LiteralKind::kBoolean:
            out_ += literal.value == "true" ? "TRUE" : "FALSE";
            break;
          case LiteralKind::kNull:
            out_ += "NULL";
            break;
        }
        return;
      }
      case ExpressionKind::kIntervalLiteral: {
        const auto& interval = expr.As<IntervalLiteralExpression>();
        out_ += "INTERVAL ";
        out_ += QuoteString(interval.value);
        if (interval.leading_field) {
          out_ += ' ';
          out_ += IntervalFieldText(*interval.leading_field);
          if (interval.trailing_field) {
            out_ += " TO ";
            out_ += IntervalFieldText(*interval.trailing_field);
          }
        }
        return;
      }
      case ExpressionKind::kTypedLiteral: {
        const auto& literal = expr.As<TypedLiteralExpression>();
        out_ += UpperCase(literal.type_name);
        out_ += ' ';
        out_ += QuoteString(literal.value);
        return;
      }
      case ExpressionKind::kColumnRef:
        Names(expr.As<ColumnRefExpression>().parts);
        return;
      case ExpressionKind::kStar: {
        const auto& star = expr.As<StarExpression>();
        if (!star.qualifier.empty()) {
          Names(star.qualifier);
          out_ += '.';
        }
        out_ += '*';
        return;
      }
      case ExpressionKind::kUnary: {
        const auto& unary = expr.As<UnaryExpression>();
        if (unary.op == UnaryOperator::kNot) {
          out_ += "NOT ";
          Operand(*unary.operand, 3);
        } else {
          out_ += unary.op == UnaryOperator::kNegate ? "-" : "+";
          Operand(*unary.operand, 12);
        }
        return;
      }
      case ExpressionKind::kBinary: {
        const auto& binary = expr.As<BinaryExpression>();
        int precedence = PrecedenceOf(expr);
        Operand(*binary.left, precedence);
        out_ += ' ';
        out_ += BinaryOperatorSymbol(binary.op);
        out_ += ' ';
        Operand(*binary.right, precedence + 1);
        return;
      }
      case ExpressionKind::kLogical: {
        const auto& logical = expr.As<LogicalExpression>();
        int precedence = PrecedenceOf(expr);
        for (size_t i = 0; i < logical.operands.size(); ++i) {
          if (i > 0) out_ += logical.op == LogicalOperator::kAnd ? " AND " : " OR ";
          Operand(*logical.operands[i], precedence + 1);
        }
        return;
      }
      case ExpressionKind::kIs: {
        const auto& is = expr.As<IsExpression>();
        Operand(*is.operand, 4);
        out_ += is.negated ? " IS NOT " : " IS ";
        switch (is.test) {
          case IsTest::kNull:
            out_ += "NULL";
            break;
          case IsTest::kTrue:
            out_ += "TRUE";
            break;
          case IsTest::kFalse:
            out_ += "FALSE";
            break;
          case IsTest::kUnknown:
            out_ += "UNKNOWN";
            break;
        }
        return;
      }
      case ExpressionKind::kBetween: {
        const auto& between = expr.As<BetweenExpression>();
        Operand(*between.operand, 6);
        out_ += between.negated ? " NOT BETWEEN " : " BETWEEN ";
        if (between.symmetric) out_ += "SYMMETRIC ";
        Operand(*between.low, 7);
        out_ += " AND ";
        Operand(*between.high, 7);
        return;
      }
      case ExpressionKind::kLike: {
        const auto& like = expr.As<LikeExpression>();
        Operand(*like.operand, 6);
        out_ += like.negated ? " NOT " : " ";
        out_ += like.case_insensitive ? "ILIKE " : "LIKE ";
        Operand(*like.pattern, 7);
        if (like.escape) {
          out_ += " ESCAPE ";
          Operand(*like.escape, 7);
        }
        return;
      }
      case ExpressionKind::kInList: {
        const auto& in = expr.As<InListExpression>();
        Operand(*in.operand, 6);
        out_ += in.negated ? " NOT IN (" : " IN (";
        ExprList(in.items);
        out_ += ')';
        return;
      }
      case ExpressionKind::kInSubquery: {
        const auto& in = expr.As<InSubqueryExpression>();
        Operand(*in.operand, 6);
        out_ += in.negated ? " NOT IN (" : " IN (";
        QueryText(*in.query);
        out_ += ')';
        return;
      }
      case ExpressionKind::kExists:
        out_ += "EXISTS (";
        QueryText(*expr.As<ExistsExpression>().query);
        out_ += ')';
        return;
      case ExpressionKind::kSubquery:
        out_ += '(';
        QueryText(*expr.As<SubqueryExpression>().query);
        out_ += ')';
        return;
      case ExpressionKind::kCase: {
        const auto& case_expr = expr.As<CaseExpression>();
        out_ += "CASE";
        if (case_expr.operand) {
          out_ += ' ';
          Expr(*case_expr.operand);
        }
        for (const WhenClause& clause : case_expr.when_clauses) {
          out_ += " WHEN ";
          Expr(*clause.condition);
          out_ += " THEN ";
          Expr(*clause.result);
        }
        if (case_expr.else_result) {
          out_ += " ELSE ";
          Expr(*case_expr.else_result);
        }
        out_ += " END";
        return;
      }
      case ExpressionKind::kCast: {
        const auto& cast = expr.As<CastExpression>();
        if (cast.double_colon) {
          Operand(*cast.operand, 12);
          out_ += "::";
        } else {
          out_ += cast.try_cast ? "TRY_CAST(" : "CAST(";
          Expr(*cast.operand);
          out_ += " AS ";
        }
        Type(cast.type);
        if (!cast.double_colon) out_ += ')';
        return;
      }
      case ExpressionKind::kFunctionCall:
        FunctionCall(expr.As<FunctionCallExpression>());
        return;
      case ExpressionKind::kExtract: {
        const auto& extract = expr.As<ExtractExpression>();
        out_ += "EXTRACT(";
        if (IsSimpleWord(extract.field)) {
          out_ += UpperCase(extract.field);
        } else {
          out_ += QuoteString(extract.field);
        }
        out_ += " FROM ";
        Expr(*extract.source);
        out_ += ')';
        return;
      }
      case ExpressionKind::kSubstring: {
        const auto& substring = expr.As<SubstringExpression>();
        out_ += "SUBSTRING(";
        Expr(*substring.operand);
        if (substring.start) {
          out_ += " FROM ";
          Expr(*substring.start);
        }
        if (substring.length) {
          out_ += " FOR ";
          Expr(*substring.length);
        }
        out_ += ')';
        return;
      }
    }
  }

  void FunctionCall(const FunctionCallExpression& function) {
    for (size_t i = 0; i < function.name.size(); ++i) {
      if (i > 0) out_ += '.';
      const std::string& part = function.name[i];
      // Reserved words the parser accepts as function names when a "(" follows.
      bool callable_keyword = part == "left" || part == "right" || part == "current_timestamp" ||
                              part == "current_date" || part == "current_time" ||
                              part == "localtimestamp" || part == "localtime";
      if (function.name.size() == 1 && callable_keyword) {
        out_ += function.no_parentheses ? UpperCase(part) : part;
      } else {
        Name(part);
      }
    }
    if (function.no_parentheses) return;
    out_ += '(';
    if (function.star_argument) {
      out_ += '*';
    } else {
      if (function.distinct) out_ += "DISTINCT ";
      ExprList(function.args);
    }
    out_ += ')';
    if (function.filter) {
      out_ += " FILTER (WHERE ";
      Expr(*function.filter);
      out_ += ')';
    }
    if (function.over) {
      const WindowSpecification& window = *function.over;
      out_ += " OVER (";
      bool space = false;
      if (!window.partition_by.empty()) {
        out_ += "PARTITION BY ";
        ExprList(window.partition_by);
        space = true;
      }
      if (!window.order_by.empty()) {
        if (space) out_ += ' ';
        out_ += "ORDER BY ";
        OrderBy(window.order_by);
        space = true;
      }
      if (window.frame) {
        if (space) out_ += ' ';
        const WindowFrame& frame = *window.frame;
        out_ += frame.unit == FrameUnit::kRows    ? "ROWS "
                : frame.unit == FrameUnit::kRange ? "RANGE "
                                                  : "GROUPS ";
        if (frame.end) {
          out_ += "BETWEEN ";
          Bound(frame.start);
          out_ += " AND ";
          Bound(*frame.end);
        } else {
          Bound(frame.start);
        }
      }
      out_ += ')';
    }
  }

  void Bound(const FrameBound& bound) {
    switch (bound.kind) {
      case FrameBoundKind::kUnboundedPreceding:
        out_ += "UNBOUNDED PRECEDING";
        return;
      case FrameBoundKind::kUnboundedFollowing:
        out_ += "UNBOUNDED FOLLOWING";
        return;
      case FrameBoundKind::kCurrentRow:
        out_ += "CURRENT ROW";
        return;
      case FrameBoundKind::kPreceding:
      case FrameBoundKind::kFollowing:
        Operand(*bound.offset, 7);
        out_ += bound.kind == FrameBoundKind::kPreceding ? " PRECEDING" : " FOLLOWING";
        return;
    }
  }

  void OrderBy(const std::vector<OrderByItem>& items) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out_ += ", ";
      Expr(*items[i].expr);
      if (items[i].direction == SortDirection::kDescending) out_ += " DESC";
      if (items[i].nulls == NullsOrder::kFirst) out_ += " NULLS FIRST";
      if (items[i].nulls == NullsOrder::kLast) out_ += " NULLS LAST";
    }
  }

  // ------------------------------------------------------------------------------------------

  void QueryText(const Query& query) {
    if (!query.with.empty()) {
      out_ += query.recursive ? "WITH RECURSIVE " : "WITH ";
      for (size_t i = 0; i < query.with.size(); ++i) {
        if (i > 0) out_ += ", ";
        const CommonTableExpression& cte = query.with[i];
        Name(cte.name.name);
        if (!cte.columns.empty()) {
          out_ += ' ';
          IdentifierList(cte.columns);
        }
        out_ += " AS (";
        QueryText(*cte.query);
        out_ += ')';
      }
      out_ += ' ';
    }
    Body(*query.body);
    if (!query.order_by.empty()) {
      out_ += " ORDER BY ";
      OrderBy(query.order_by);
    }
    if (query.limit) {
      out_ += " LIMIT ";
      Expr(*query.limit);
    }
    if (query.offset) {
      out_ += " OFFSET ";
      Expr(*query.offset);
    }
    if (query.emit) {
      switch (query.emit->mode) {
        case EmitMode::kOnWindowClose:
          out_ += " EMIT ON WINDOW CLOSE";
          break;
        case EmitMode::kFinal:
          out_ += " EMIT FINAL";
          break;
        case EmitMode::kChanges:
          out_ += " EMIT CHANGES";
          break;
        case EmitMode::kOnUpdate:
          out_ += " EMIT ON UPDATE";
          break;
        case EmitMode::kPeriodic:
          out_ += " EMIT EVERY ";
          Operand(*query.emit->period, 7);
          break;
      }
    }
    if (query.allowed_lateness) {
      out_ += " ALLOWED_LATENESS ";
      Operand(*query.allowed_lateness, 7);
    }
    if (query.late_data_to) {
      out_ += " LATE DATA TO ";
      Names(query.late_data_to->parts);
    }
  }

  void Body(const QueryBody& body) {
    switch (body.kind) {
      case QueryBodyKind::kSelect:
        Select(body.As<SelectBody>());
        return;
      case QueryBodyKind::kSetOperation: {
        const auto& operation = body.As<SetOperationBody>();
        Body(*operation.left);
        out_ += operation.op == SetOperator::kUnion       ? " UNION "
                : operation.op == SetOperator::kIntersect ? " INTERSECT "
                                                          : " EXCEPT ";
        if (operation.all) out_ += "ALL ";
        Body(*operation.right);
        return;
      }
      case QueryBodyKind::kValues: {
        const auto& values = body.As<ValuesBody>();
        out_ += "VALUES ";
        for (size_t i = 0; i < values.rows.size(); ++i) {
          if (i > 0) out_ += ", ";
          out_ += '(';
          ExprList(values.rows[i]);
          out_ += ')';
        }
        return;
      }
      case QueryBodyKind::kNested:
        out_ += '(';
        QueryText(*body.As<NestedQueryBody>().query);
        out_ += ')';
        return;
    }
  }

  void Select(const SelectBody& select) {
    out_ += select.distinct ? "SELECT DISTINCT " : "SELECT ";
    for (size_t i = 0; i < select.items.size(); ++i) {
      if (i > 0) out_ += ", ";
      Expr(*select.items[i].expr);
      if (select.items[i].alias) {
        out_ += " AS ";
        Name(select.items[i].alias->name);
      }
    }
    if (!select.from.empty()) {
      out_ += " FROM ";
      for (size_t i = 0; i < select.from.size(); ++i) {
        if (i > 0) out_ += ", ";
        Table(*select.from[i]);
      }
    }
    if (select.where) {
      out_ += " WHERE ";
      Expr(*select.where);
    }
    if (!select.group_by.empty()) {
      out_ += " GROUP BY ";
      ExprList(select.group_by);
    }
    if (select.having) {
      out_ += " HAVING ";
      Expr(*select.having);
    }
    if (select.qualify) {
      out_ += " QUALIFY ";
      Expr(*select.qualify);
    }
  }

  void Alias(const std::optional<TableAlias>& alias) {
    if (!alias) return;
    out_ += " AS ";
    Name(alias->name.name);
    if (!alias->columns.empty()) {
      out_ += ' ';
      IdentifierList(alias->columns);
    }
  }

  void Table(const TableRef& table) {
    switch (table.kind) {
      case TableRefKind::kNamed: {
        const auto& named = table.As<NamedTableRef>();
        Names(named.name.parts);
        if (named.system_time) {
          out_ += " FOR SYSTEM_TIME AS OF ";
          Operand(*named.system_time, 7);
        }
        Alias(named.alias);
        return;
      }
      case TableRefKind::kSubquery: {
        const auto& subquery = table.As<SubqueryTableRef>();
        out_ += '(';
        QueryText(*subquery.query);
        out_ += ')';
        Alias(subquery.alias);
        return;
      }
      case TableRefKind::kTableFunction: {
        const auto& function = table.As<TableFunctionRef>();
        if (function.table_wrapper) out_ += "TABLE(";
        for (size_t i = 0; i < function.name.size(); ++i) {
          if (i > 0) out_ += '.';
          Word(function.name[i]);
        }
        out_ += '(';
        for (size_t i = 0; i < function.args.size(); ++i) {
          if (i > 0) out_ += ", ";
          const TableFunctionArgument& argument = function.args[i];
          if (argument.name) {
            Name(argument.name->name);
            out_ += " => ";
          }
          switch (argument.kind) {
            case TableFunctionArgumentKind::kTable:
              out_ += "TABLE ";
              Names(argument.table.parts);
              break;
            case TableFunctionArgumentKind::kDescriptor:
              out_ += "DESCRIPTOR";
              IdentifierList(argument.descriptor_columns);
              break;
            case TableFunctionArgumentKind::kExpression:
              Expr(*argument.expr);
              break;
          }
        }
        out_ += ')';
        if (function.table_wrapper) out_ += ')';
        Alias(function.alias);
        return;
      }
      case TableRefKind::kJoin: {
        const auto& join = table.As<JoinTableRef>();
        Table(*join.left);
        out_ += ' ';
        if (join.natural) out_ += "NATURAL ";
        if (join.asof) out_ += "ASOF ";
        switch (join.join_type) {
          case JoinType::kInner:
            break;
          case JoinType::kLeft:
            out_ += "LEFT ";
            break;
          case JoinType::kRight:
            out_ += "RIGHT ";
            break;
          case JoinType::kFull:
            out_ += "FULL ";
            break;
          case JoinType::kCross:
            out_ += "CROSS ";
            break;
          case JoinType::kLeftSemi:
            out_ += "LEFT SEMI ";
            break;
          case JoinType::kLeftAnti:
            out_ += "LEFT ANTI ";
            break;
        }
        out_ += "JOIN ";
        if (join.right->kind == TableRefKind::kJoin) {
          out_ += '(';
          Table(*join.right);
          out_ += ')';
        } else {
          Table(*join.right);
        }
        if (join.match_condition) {
          out_ += " MATCH_CONDITION (";
          Expr(*join.match_condition);
          out_ += ')';
        }
        if (join.condition) {
          out_ += " ON ";
          Expr(*join.condition);
        } else if (!join.using_columns.empty()) {
          out_ += " USING ";
          IdentifierList(join.using_columns);
        }
        return;
      }
    }
  }

  // ------------------------------------------------------------------------------------------

  void Options(const std::vector<Option>& options) {
    out_ += '(';
    for (size_t i = 0; i < options.size(); ++i) {
      if (i > 0) out_ += ", ";
      OptionKey(options[i].key);
      out_ += " = ";
      Expr(*options[i].value);
    }
    out_ += ')';
  }

  void OptionKey(std::string_view key) {
    bool dotted_words = true;
    size_t begin = 0;
    while (begin <= key.size()) {
      size_t dot = key.find('.', begin);
      std::string_view part =
          key.substr(begin, dot == std::string_view::npos ? std::string_view::npos : dot - begin);
      if (!IsSimpleWord(part)) dotted_words = false;
      if (dot == std::string_view::npos) break;
      begin = dot + 1;
    }
    if (dotted_words) {
      out_ += key;
    } else {
      out_ += QuoteString(key);
    }
  }

  void Connector(const ConnectorClause& connector) {
    Word(connector.name);
    if (connector.has_option_list) {
      out_ += ' ';
      Options(connector.options);
    }
  }

  void FormatAndOptions(const std::optional<FormatClause>& format,
                        const std::vector<Option>& options) {
    if (format) {
      out_ += " FORMAT ";
      Word(format->name);
      if (!format->options.empty()) {
        out_ += ' ';
        Options(format->options);
      }
    }
    if (!options.empty()) {
      out_ += " WITH ";
      Options(options);
    }
  }

  void Elements(const TableElements& elements) {
    out_ += " (";
    bool first = true;
    auto separator = [&] {
      if (!first) out_ += ", ";
      first = false;
    };
    for (const ColumnDefinition& column : elements.columns) {
      separator();
      Name(column.name.name);
      out_ += ' ';
      Type(column.type);
      if (column.not_null) out_ += " NOT NULL";
    }
    if (!elements.primary_key.empty()) {
      separator();
      out_ += "PRIMARY KEY ";
      IdentifierList(elements.primary_key);
    }
    if (elements.watermark) {
      separator();
      out_ += "WATERMARK FOR ";
      Name(elements.watermark->column.name);
      if (elements.watermark->expr) {
        out_ += " AS ";
        Expr(*elements.watermark->expr);
      }
    }
    out_ += ')';
  }

  void Header(const CreateHeader& header, std::string_view kind) {
    out_ += header.or_replace ? "CREATE OR REPLACE " : "CREATE ";
    out_ += kind;
    if (header.if_not_exists) out_ += " IF NOT EXISTS";
    out_ += ' ';
    Names(header.name.parts);
  }

  void SettingName(const ObjectName& name) {
    for (size_t i = 0; i < name.parts.size(); ++i) {
      if (i > 0) out_ += '.';
      const std::string& part = name.parts[i];
      bool looks_like_keyword = part == "sources" || part == "streams" || part == "sinks" ||
                                part == "tables" || part == "materialized" || part == "lookup" ||
                                part == "create";
      if (IsSimpleWord(part) && !(i == 0 && looks_like_keyword)) {
        out_ += part;
      } else {
        out_ += '"';
        for (char c : part) {
          if (c == '"') out_ += '"';
          out_ += c;
        }
        out_ += '"';
      }
    }
  }

  void StatementText(const Statement& statement) {
    switch (statement.kind) {
      case StatementKind::kQuery:
        QueryText(*statement.As<QueryStatement>().query);
        return;
      case StatementKind::kCreateSource: {
        const auto& create = statement.As<CreateSourceStatement>();
        Header(create.header, "SOURCE");
        if (create.has_elements) Elements(create.elements);
        if (create.connector) {
          out_ += " FROM ";
          Connector(*create.connector);
        }
        FormatAndOptions(create.format, create.options);
        return;
      }
      case StatementKind::kCreateTable: {
        const auto& create = statement.As<CreateTableStatement>();
        Header(create.header, create.lookup ? "LOOKUP TABLE" : "TABLE");
        Elements(create.elements);
        if (create.connector) {
          out_ += " FROM ";
          Connector(*create.connector);
        }
        FormatAndOptions(create.format, create.options);
        return;
      }
      case StatementKind::kCreateStream: {
        const auto& create = statement.As<CreateStreamStatement>();
        Header(create.header, create.materialized_view ? "MATERIALIZED VIEW" : "STREAM");
        if (!create.options.empty()) {
          out_ += " WITH ";
          Options(create.options);
        }
        out_ += " AS ";
        QueryText(*create.query);
        return;
      }
      case StatementKind::kCreateSink: {
        const auto& create = statement.As<CreateSinkStatement>();
        Header(create.header, "SINK");
        if (create.from) {
          out_ += " FROM ";
          Names(create.from->parts);
          if (create.where) {
            out_ += " WHERE ";
            Expr(*create.where);
          }
          if (create.connector) {
            out_ += " INTO ";
            Connector(*create.connector);
          }
          FormatAndOptions(create.format, create.options);
          return;
        }
        if (create.connector) {
          out_ += " INTO ";
          Connector(*create.connector);
          FormatAndOptions(create.format, create.options);
        }
        out_ += " AS ";
        QueryText(*create.query);
        return;
      }
      case StatementKind::kInsert: {
        const auto& insert = statement.As<InsertStatement>();
        out_ += "INSERT INTO ";
        Names(insert.table.parts);
        if (!insert.columns.empty()) {
          out_ += ' ';
          IdentifierList(insert.columns);
        }
        out_ += ' ';
        QueryText(*insert.query);
        return;
      }
      case StatementKind::kUpdate: {
        const auto& update = statement.As<UpdateStatement>();
        out_ += "UPDATE ";
        Names(update.table.parts);
        out_ += " SET ";
        for (size_t i = 0; i < update.assignments.size(); ++i) {
          if (i > 0) out_ += ", ";
          Name(update.assignments[i].column.name);
          out_ += " = ";
          Expr(*update.assignments[i].value);
        }
        if (update.where) {
          out_ += " WHERE ";
          Expr(*update.where);
        }
        return;
      }
      case StatementKind::kDelete: {
        const auto& delete_statement = statement.As<DeleteStatement>();
        out_ += "DELETE FROM ";
        Names(delete_statement.table.parts);
        if (delete_statement.where) {
          out_ += " WHERE ";
          Expr(*delete_statement.where);
        }
        return;
      }
      case StatementKind::kDrop: {
        const auto& drop = statement.As<DropStatement>();
        out_ += "DROP ";
        out_ += ObjectKindKeyword(drop.object_kind);
        if (drop.if_exists) out_ += " IF EXISTS";
        out_ += ' ';
        Names(drop.name.parts);
        if (drop.cascade) out_ += " CASCADE";
        return;
      }
      case StatementKind::kShowObjects: {
        const auto& show = statement.As<ShowObjectsStatement>();
        out_ += "SHOW ";
        out_ += ObjectKindKeyword(show.object_kind);
        out_ += 'S';
        return;
      }
      case StatementKind::kShowCreate: {
        const auto& show = statement.As<ShowCreateStatement>();
        out_ += "SHOW CREATE ";
        out_ += ObjectKindKeyword(show.object_kind);
        out_ += ' ';
        Names(show.name.parts);
        return;
      }
      case StatementKind::kShowVariable:
        out_ += "SHOW ";
        SettingName(statement.As<ShowVariableStatement>().name);
        return;
      case StatementKind::kDescribe:
        out_ += "DESCRIBE ";
        Names(statement.As<DescribeStatement>().name.parts);
        return;
      case StatementKind::kExplain: {
        const auto& explain = statement.As<ExplainStatement>();
        out_ += explain.analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ";
        StatementText(*explain.statement);
        return;
      }
      case StatementKind::kCheckpoint:
        out_ += "CHECKPOINT";
        return;
      case StatementKind::kRestore:
        out_ += "RESTORE FROM CHECKPOINT ";
        out_ += std::to_string(statement.As<RestoreStatement>().checkpoint_id);
        return;
      case StatementKind::kSet: {
        const auto& set = statement.As<SetStatement>();
        out_ += "SET ";
        SettingName(set.name);
        out_ += " = ";
        Expr(*set.value);
        return;
      }
      case StatementKind::kSubscribe: {
        const auto& subscribe = statement.As<SubscribeStatement>();
        out_ += "SUBSCRIBE ";
        Names(subscribe.name.parts);
        if (subscribe.where) {
          out_ += " WHERE ";
          Expr(*subscribe.where);
        }
        return;
      }
    }
  }

 private:
  std::string out_;
};

}  // namespace

std::string QuoteIdentifier(std::string_view name) {
  if (IsSimpleWord(name) && !IsReservedWord(name)) return std::string(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string QuoteString(std::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  quoted += '\'';
  return quoted;
}

std::string Unparse(const Statement& statement) {
  Unparser unparser;
  unparser.StatementText(statement);
  return unparser.Take();
}

std::string Unparse(const Query& query) {
  Unparser unparser;
  unparser.QueryText(query);
  return unparser.Take();
}

std::string Unparse(const Expression& expr) {
  Unparser unparser;
  unparser.Expr(expr);
  return unparser.Take();
}

std::string Unparse(const std::vector<StatementPtr>& statements) {
  std::string text;
  for (const StatementPtr& statement : statements) {
    text += Unparse(*statement);
    text += ";\n";
  }
  return text;
}

bool Equals(const Statement& a, const Statement& b) { return Unparse(a) == Unparse(b); }

bool Equals(const Expression& a, const Expression& b) { return Unparse(a) == Unparse(b); }

}  // namespace laminar::sql
