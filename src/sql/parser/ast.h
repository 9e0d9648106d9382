#pragma once

// The syntax tree produced by the parser. It records what was written, not what it means:
// names are unresolved, type names are syntactic and nothing is checked beyond the grammar.
// The binder turns it into a logical plan.
//
// Ownership: every node owns its children through std::unique_ptr; a tree is moved, never
// shared. Positions point into the text that was parsed (after ${VAR} substitution).
// Thread-safety: a finished tree is immutable and may be read from many threads.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/object_kind.h"

namespace laminar::sql {

struct Query;
struct Expression;
struct TableRef;
struct Statement;
using QueryPtr = std::unique_ptr<Query>;
using ExprPtr = std::unique_ptr<Expression>;
using TableRefPtr = std::unique_ptr<TableRef>;
using StatementPtr = std::unique_ptr<Statement>;

/// A name as written: unquoted names are folded to lower case, quoted ones keep their case.
struct Identifier {
  std::string name;
  SourcePosition position;
};

/// A possibly qualified object name such as `db.trades` (one part in the common case).
struct ObjectName {
  std::vector<std::string> parts;
  SourcePosition position;

  /// The parts joined by dots, unquoted; for messages.
  std::string ToString() const;
};

/// A type as written, e.g. `DECIMAL(10, 2)` is {"decimal", {10, 2}} and `DOUBLE PRECISION` is
/// {"double precision", {}}. The binder maps it to a real type.
struct TypeName {
  std::string name;
  std::vector<int64_t> params;
  SourcePosition position;
};

/// What every kind of syntax node shares: a tag saying which subclass it is (downcast with
/// As<T>()), where it starts and the byte offset one past its last token (for statements, the
/// `;` is not included). Nodes are not copyable; trees are moved.
template <typename Kind>
struct TaggedNode {
  explicit TaggedNode(Kind kind) : kind(kind) {}
  virtual ~TaggedNode() = default;
  TaggedNode(const TaggedNode&) = delete;
  TaggedNode& operator=(const TaggedNode&) = delete;

  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    return static_cast<T&>(*this);
  }

  const Kind kind;
  SourcePosition position;
  uint32_t end_offset = 0;
};

// ---------------------------------------------------------------------------------------------
// Expressions

enum class ExpressionKind : uint8_t {
  kLiteral,
  kIntervalLiteral,
  kTypedLiteral,
  kColumnRef,
  kStar,
  kUnary,
  kBinary,
  kLogical,
  kIs,
  kBetween,
  kLike,
  kInList,
  kInSubquery,
  kExists,
  kSubquery,
  kCase,
  kCast,
  kFunctionCall,
  kExtract,
  kSubstring,
};

/// Base of all expression nodes. `kind` says which subclass it is; use As<T>() to downcast.
struct Expression : TaggedNode<ExpressionKind> {
  using TaggedNode::TaggedNode;
};

enum class LiteralKind : uint8_t { kInteger, kDecimal, kString, kBoolean, kNull };

/// 42, 3.14, 'text', TRUE, NULL. Numbers keep their digits as text so that no precision is
/// lost before the binder picks a type. Negative numbers are a unary minus around a literal.
struct LiteralExpression : Expression {
  LiteralExpression() : Expression(ExpressionKind::kLiteral) {}
  LiteralKind literal_kind = LiteralKind::kNull;
  /// Digits for numbers, the decoded value for strings, "true"/"false" for booleans.
  std::string value;
};

/// The unit words allowed after an INTERVAL string.
enum class IntervalField : uint8_t {
  kYear,
  kMonth,
  kWeek,
  kDay,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
  kMicrosecond,
};

/// INTERVAL '100ms', INTERVAL '1' SECOND, INTERVAL '1 minute', INTERVAL '5' MINUTE TO SECOND.
/// The string is kept as written; the binder parses it together with the fields.
struct IntervalLiteralExpression : Expression {
  IntervalLiteralExpression() : Expression(ExpressionKind::kIntervalLiteral) {}
  std::string value;
  std::optional<IntervalField> leading_field;
  /// Only with a leading field: INTERVAL '1:30' MINUTE TO SECOND.
  std::optional<IntervalField> trailing_field;
};

/// TIMESTAMP '2024-01-01 00:00:00', DATE '2024-01-01', TIME '...', TIMESTAMPTZ '...'.
struct TypedLiteralExpression : Expression {
  TypedLiteralExpression() : Expression(ExpressionKind::kTypedLiteral) {}
  /// "timestamp", "date", "time" or "timestamptz".
  std::string type_name;
  std::string value;
};

/// A column, possibly qualified: price, b.price.
struct ColumnRefExpression : Expression {
  ColumnRefExpression() : Expression(ExpressionKind::kColumnRef) {}
  std::vector<std::string> parts;
};

/// `*` or `t.*` in a select list.
struct StarExpression : Expression {
  StarExpression() : Expression(ExpressionKind::kStar) {}
  /// Empty for a bare `*`.
  std::vector<std::string> qualifier;
};

enum class UnaryOperator : uint8_t { kNegate, kPlus, kNot };

struct UnaryExpression : Expression {
  UnaryExpression() : Expression(ExpressionKind::kUnary) {}
  UnaryOperator op = UnaryOperator::kNegate;
  ExprPtr operand;
};

enum class BinaryOperator : uint8_t {
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kPower,
  kConcat,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kIsDistinctFrom,
  kIsNotDistinctFrom,
};

/// The operator as SQL writes it: "+", "<>", "||", "IS DISTINCT FROM", ...
std::string_view BinaryOperatorSymbol(BinaryOperator op);

struct BinaryExpression : Expression {
  BinaryExpression() : Expression(ExpressionKind::kBinary) {}
  BinaryOperator op = BinaryOperator::kAdd;
  ExprPtr left;
  ExprPtr right;
};

enum class LogicalOperator : uint8_t { kAnd, kOr };

/// `a AND b AND c` as one node with three operands, so that long predicate chains do not
/// build deep trees. A parenthesized chain inside another chain stays a separate node.
struct LogicalExpression : Expression {
  LogicalExpression() : Expression(ExpressionKind::kLogical) {}
  LogicalOperator op = LogicalOperator::kAnd;
  /// At least two.
  std::vector<ExprPtr> operands;
};

enum class IsTest : uint8_t { kNull, kTrue, kFalse, kUnknown };

/// x IS [NOT] NULL | TRUE | FALSE | UNKNOWN.
struct IsExpression : Expression {
  IsExpression() : Expression(ExpressionKind::kIs) {}
  ExprPtr operand;
  IsTest test = IsTest::kNull;
  bool negated = false;
};

/// x [NOT] BETWEEN [SYMMETRIC] low AND high.
struct BetweenExpression : Expression {
  BetweenExpression() : Expression(ExpressionKind::kBetween) {}
  ExprPtr operand;
  ExprPtr low;
  ExprPtr high;
  bool negated = false;
  bool symmetric = false;
};

/// x [NOT] LIKE | ILIKE pattern [ESCAPE e].
struct LikeExpression : Expression {
  LikeExpression() : Expression(ExpressionKind::kLike) {}
  ExprPtr operand;
  ExprPtr pattern;
  ExprPtr escape;  // May be null.
  bool negated = false;
  bool case_insensitive = false;
};

/// x [NOT] IN (a, b, c).
struct InListExpression : Expression {
  InListExpression() : Expression(ExpressionKind::kInList) {}
  ExprPtr operand;
  std::vector<ExprPtr> items;
  bool negated = false;
};

/// x [NOT] IN (SELECT ...).
struct InSubqueryExpression : Expression {
  InSubqueryExpression() : Expression(ExpressionKind::kInSubquery) {}
  ExprPtr operand;
  QueryPtr query;
  bool negated = false;
};

/// EXISTS (SELECT ...). NOT EXISTS is a NOT around it.
struct ExistsExpression : Expression {
  ExistsExpression() : Expression(ExpressionKind::kExists) {}
  QueryPtr query;
};

/// (SELECT ...) used as a value.
struct SubqueryExpression : Expression {
  SubqueryExpression() : Expression(ExpressionKind::kSubquery) {}
  QueryPtr query;
};

struct WhenClause {
  ExprPtr condition;
  ExprPtr result;
};

/// CASE [operand] WHEN ... THEN ... [ELSE ...] END; `operand` is null for the searched form.
struct CaseExpression : Expression {
  CaseExpression() : Expression(ExpressionKind::kCase) {}
  ExprPtr operand;
  std::vector<WhenClause> when_clauses;
  ExprPtr else_result;  // May be null.
};

/// CAST(x AS type), TRY_CAST(x AS type) or x::type.
struct CastExpression : Expression {
  CastExpression() : Expression(ExpressionKind::kCast) {}
  ExprPtr operand;
  TypeName type;
  /// Written as x::type (kept so that SHOW CREATE reproduces the user's spelling).
  bool double_colon = false;
  bool try_cast = false;
};

enum class SortDirection : uint8_t { kAscending, kDescending };
enum class NullsOrder : uint8_t { kDefault, kFirst, kLast };

struct OrderByItem {
  ExprPtr expr;
  SortDirection direction = SortDirection::kAscending;
  NullsOrder nulls = NullsOrder::kDefault;
};

enum class FrameUnit : uint8_t { kRows, kRange, kGroups };

enum class FrameBoundKind : uint8_t {
  kUnboundedPreceding,
  kPreceding,
  kCurrentRow,
  kFollowing,
  kUnboundedFollowing,
};

struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kCurrentRow;
  ExprPtr offset;  // Only for kPreceding and kFollowing.
};

/// ROWS | RANGE | GROUPS  start  or  BETWEEN start AND end.
struct WindowFrame {
  FrameUnit unit = FrameUnit::kRows;
  FrameBound start;
  std::optional<FrameBound> end;
};

/// The OVER (...) clause of an analytic function call.
struct WindowSpecification {
  std::vector<ExprPtr> partition_by;
  std::vector<OrderByItem> order_by;
  std::optional<WindowFrame> frame;
};

/// name([DISTINCT] args) [FILTER (WHERE ...)] [OVER (...)], COUNT(*), and the parameterless
/// CURRENT_TIMESTAMP-style functions.
struct FunctionCallExpression : Expression {
  FunctionCallExpression() : Expression(ExpressionKind::kFunctionCall) {}
  /// Folded like any identifier; qualified names have several parts.
  std::vector<std::string> name;
  std::vector<ExprPtr> args;
  bool distinct = false;
  /// COUNT(*).
  bool star_argument = false;
  /// CURRENT_TIMESTAMP, CURRENT_DATE, ... written without parentheses.
  bool no_parentheses = false;
  ExprPtr filter;  // May be null.
  std::optional<WindowSpecification> over;
};

/// EXTRACT(field FROM source).
struct ExtractExpression : Expression {
  ExtractExpression() : Expression(ExpressionKind::kExtract) {}
  /// Folded to lower case, e.g. "hour", "epoch".
  std::string field;
  ExprPtr source;
};

/// SUBSTRING(x FROM start [FOR length]); the plain call form is an ordinary function call.
struct SubstringExpression : Expression {
  SubstringExpression() : Expression(ExpressionKind::kSubstring) {}
  ExprPtr operand;
  ExprPtr start;   // May be null: SUBSTRING(x FOR n).
  ExprPtr length;  // May be null.
};

// ---------------------------------------------------------------------------------------------
// Table references (FROM)

enum class TableRefKind : uint8_t { kNamed, kSubquery, kTableFunction, kJoin };

/// AS alias [(col, ...)].
struct TableAlias {
  Identifier name;
  std::vector<Identifier> columns;
};

struct TableRef : TaggedNode<TableRefKind> {
  using TaggedNode::TaggedNode;
};

/// A source, stream, view or table by name, optionally versioned:
/// `rates FOR SYSTEM_TIME AS OF o.ts AS r`.
struct NamedTableRef : TableRef {
  NamedTableRef() : TableRef(TableRefKind::kNamed) {}
  ObjectName name;
  ExprPtr system_time;  // FOR SYSTEM_TIME AS OF; may be null.
  std::optional<TableAlias> alias;
};

/// (SELECT ...) [AS] alias.
struct SubqueryTableRef : TableRef {
  SubqueryTableRef() : TableRef(TableRefKind::kSubquery) {}
  QueryPtr query;
  std::optional<TableAlias> alias;
};

enum class TableFunctionArgumentKind : uint8_t { kExpression, kTable, kDescriptor };

/// One argument of a table-valued function: an expression, `TABLE name`, or
/// `DESCRIPTOR(col, ...)`, optionally named (`SIZE => INTERVAL '1' MINUTE`).
struct TableFunctionArgument {
  std::optional<Identifier> name;
  TableFunctionArgumentKind kind = TableFunctionArgumentKind::kExpression;
  ExprPtr expr;
  ObjectName table;
  std::vector<Identifier> descriptor_columns;
  SourcePosition position;
};

/// TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '10' SECOND)) [AS] alias, or the
/// same call without the TABLE(...) wrapper.
struct TableFunctionRef : TableRef {
  TableFunctionRef() : TableRef(TableRefKind::kTableFunction) {}
  std::vector<std::string> name;
  std::vector<TableFunctionArgument> args;
  /// Written as TABLE(f(...)) (Flink) rather than f(...).
  bool table_wrapper = false;
  std::optional<TableAlias> alias;
};

enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kCross, kLeftSemi, kLeftAnti };

/// left [NATURAL] [ASOF] <type> JOIN right [MATCH_CONDITION (...)] [ON ... | USING (...)].
struct JoinTableRef : TableRef {
  JoinTableRef() : TableRef(TableRefKind::kJoin) {}
  JoinType join_type = JoinType::kInner;
  /// ASOF JOIN: each left row meets the latest matching right row.
  bool asof = false;
  bool natural = false;
  TableRefPtr left;
  TableRefPtr right;
  ExprPtr condition;        // ON; may be null.
  ExprPtr match_condition;  // MATCH_CONDITION(...) of an ASOF join; may be null.
  std::vector<Identifier> using_columns;
};

// ---------------------------------------------------------------------------------------------
// Queries

enum class EmitMode : uint8_t { kOnWindowClose, kFinal, kChanges, kOnUpdate, kPeriodic };

/// EMIT ON WINDOW CLOSE | FINAL | CHANGES | ON UPDATE | EVERY INTERVAL '...'.
struct EmitClause {
  EmitMode mode = EmitMode::kOnUpdate;
  ExprPtr period;  // Only for kPeriodic.
  SourcePosition position;
};

enum class QueryBodyKind : uint8_t { kSelect, kSetOperation, kValues, kNested };

struct QueryBody : TaggedNode<QueryBodyKind> {
  using TaggedNode::TaggedNode;
};
using QueryBodyPtr = std::unique_ptr<QueryBody>;

struct SelectItem {
  ExprPtr expr;
  std::optional<Identifier> alias;
};

/// SELECT [DISTINCT] items [FROM ...] [WHERE] [GROUP BY] [HAVING] [QUALIFY].
struct SelectBody : QueryBody {
  SelectBody() : QueryBody(QueryBodyKind::kSelect) {}
  bool distinct = false;
  std::vector<SelectItem> items;
  /// Comma-separated FROM items; joins nest inside each.
  std::vector<TableRefPtr> from;
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  ExprPtr qualify;
};

enum class SetOperator : uint8_t { kUnion, kIntersect, kExcept };

struct SetOperationBody : QueryBody {
  SetOperationBody() : QueryBody(QueryBodyKind::kSetOperation) {}
  SetOperator op = SetOperator::kUnion;
  bool all = false;
  QueryBodyPtr left;
  QueryBodyPtr right;
};

/// VALUES (...), (...).
struct ValuesBody : QueryBody {
  ValuesBody() : QueryBody(QueryBodyKind::kValues) {}
  std::vector<std::vector<ExprPtr>> rows;
};

/// A parenthesized query used as an operand of a set operation.
struct NestedQueryBody : QueryBody {
  NestedQueryBody() : QueryBody(QueryBodyKind::kNested) {}
  QueryPtr query;
};

struct CommonTableExpression {
  Identifier name;
  std::vector<Identifier> columns;
  QueryPtr query;
};

/// A full query: [WITH ...] body [ORDER BY] [LIMIT] [OFFSET] followed by the streaming clauses
/// EMIT, ALLOWED_LATENESS and LATE DATA TO (in any order).
struct Query {
  std::vector<CommonTableExpression> with;
  bool recursive = false;
  QueryBodyPtr body;
  std::vector<OrderByItem> order_by;
  ExprPtr limit;  // May be null.
  ExprPtr offset;
  std::optional<EmitClause> emit;
  ExprPtr allowed_lateness;  // May be null.
  std::optional<ObjectName> late_data_to;
  SourcePosition position;
  uint32_t end_offset = 0;
};

// ---------------------------------------------------------------------------------------------
// Statements

/// key = value inside WITH (...), FROM KAFKA (...) and FORMAT JSON (...). Keys are folded like
/// identifiers unless quoted; dotted keys (properties.group.id) are joined with dots.
struct Option {
  std::string key;
  ExprPtr value;
  SourcePosition position;
};

/// FROM KAFKA (brokers = '...', topic = '...'), INTO FILES (...).
struct ConnectorClause {
  /// Folded: "kafka", "postgres_cdc", "nexmark", ...
  std::string name;
  std::vector<Option> options;
  /// Whether the option list was written with parentheses (FROM KAFKA vs FROM KAFKA ()).
  bool has_option_list = false;
  SourcePosition position;
};

/// FORMAT JSON [(options)].
struct FormatClause {
  std::string name;
  std::vector<Option> options;
  SourcePosition position;
};

struct ColumnDefinition {
  Identifier name;
  TypeName type;
  bool not_null = false;
  SourcePosition position;
};

/// WATERMARK FOR column [AS expr].
struct WatermarkDefinition {
  Identifier column;
  ExprPtr expr;  // May be null: watermarks then come from the source itself.
  SourcePosition position;
};

/// The parenthesized element list of CREATE SOURCE / TABLE / LOOKUP TABLE.
struct TableElements {
  std::vector<ColumnDefinition> columns;
  std::vector<Identifier> primary_key;
  std::optional<WatermarkDefinition> watermark;
};

enum class StatementKind : uint8_t {
  kQuery,
  kCreateSource,
  kCreateTable,
  kCreateStream,
  kCreateSink,
  kInsert,
  kUpdate,
  kDelete,
  kDrop,
  kShowObjects,
  kShowCreate,
  kShowVariable,
  kDescribe,
  kExplain,
  kCheckpoint,
  kRestore,
  kSet,
  kSubscribe,
};

struct Statement : TaggedNode<StatementKind> {
  using TaggedNode::TaggedNode;
};

/// A SELECT / VALUES / WITH query run ad hoc.
struct QueryStatement : Statement {
  QueryStatement() : Statement(StatementKind::kQuery) {}
  QueryPtr query;
};

/// Fields shared by the create statements.
struct CreateHeader {
  bool or_replace = false;
  bool if_not_exists = false;
  ObjectName name;
};

/// CREATE [OR REPLACE] SOURCE [IF NOT EXISTS] name [(elements)] [FROM connector (...)]
/// [FORMAT f] [WITH (...)].
struct CreateSourceStatement : Statement {
  CreateSourceStatement() : Statement(StatementKind::kCreateSource) {}
  CreateHeader header;
  /// False for `CREATE SOURCE s FROM KAFKA (...)`, whose schema comes from the connector.
  bool has_elements = false;
  TableElements elements;
  std::optional<ConnectorClause> connector;
  std::optional<FormatClause> format;
  std::vector<Option> options;
};

/// CREATE [OR REPLACE] [LOOKUP] TABLE [IF NOT EXISTS] name (elements) [FROM connector (...)]
/// [FORMAT f] [WITH (...)].
struct CreateTableStatement : Statement {
  CreateTableStatement() : Statement(StatementKind::kCreateTable) {}
  CreateHeader header;
  bool lookup = false;
  TableElements elements;
  std::optional<ConnectorClause> connector;
  std::optional<FormatClause> format;
  std::vector<Option> options;
};

/// CREATE STREAM name AS query, and CREATE MATERIALIZED VIEW name AS query. Options may be
/// written before AS or after the query: WITH (allowed_lateness = ...).
struct CreateStreamStatement : Statement {
  CreateStreamStatement() : Statement(StatementKind::kCreateStream) {}
  CreateHeader header;
  bool materialized_view = false;
  QueryPtr query;
  std::vector<Option> options;
};

/// CREATE SINK name FROM x [WHERE e] [INTO c (...)] [FORMAT f] [WITH (...)], or the inline
/// form CREATE SINK name INTO c (...) [FORMAT f] [WITH (...)] AS query.
struct CreateSinkStatement : Statement {
  CreateSinkStatement() : Statement(StatementKind::kCreateSink) {}
  CreateHeader header;
  std::optional<ObjectName> from;  // Exactly one of `from` and `query` is set.
  ExprPtr where;
  QueryPtr query;
  std::optional<ConnectorClause> connector;
  std::optional<FormatClause> format;
  std::vector<Option> options;
};

/// INSERT INTO name [(cols)] VALUES ... | query.
struct InsertStatement : Statement {
  InsertStatement() : Statement(StatementKind::kInsert) {}
  ObjectName table;
  std::vector<Identifier> columns;
  QueryPtr query;
};

struct Assignment {
  Identifier column;
  ExprPtr value;
};

/// UPDATE name SET col = expr, ... [WHERE expr] (reference tables).
struct UpdateStatement : Statement {
  UpdateStatement() : Statement(StatementKind::kUpdate) {}
  ObjectName table;
  std::vector<Assignment> assignments;
  ExprPtr where;
};

/// DELETE FROM name [WHERE expr] (reference tables).
struct DeleteStatement : Statement {
  DeleteStatement() : Statement(StatementKind::kDelete) {}
  ObjectName table;
  ExprPtr where;
};

/// DROP kind [IF EXISTS] name [CASCADE].
struct DropStatement : Statement {
  DropStatement() : Statement(StatementKind::kDrop) {}
  ObjectKind object_kind = ObjectKind::kSource;
  bool if_exists = false;
  ObjectName name;
  bool cascade = false;
};

/// SHOW SOURCES | STREAMS | MATERIALIZED VIEWS | SINKS | TABLES | LOOKUP TABLES.
struct ShowObjectsStatement : Statement {
  ShowObjectsStatement() : Statement(StatementKind::kShowObjects) {}
  ObjectKind object_kind = ObjectKind::kSource;
};

/// SHOW CREATE kind name.
struct ShowCreateStatement : Statement {
  ShowCreateStatement() : Statement(StatementKind::kShowCreate) {}
  ObjectKind object_kind = ObjectKind::kSource;
  ObjectName name;
};

/// SHOW name: the value of a setting.
struct ShowVariableStatement : Statement {
  ShowVariableStatement() : Statement(StatementKind::kShowVariable) {}
  ObjectName name;
};

/// DESCRIBE name.
struct DescribeStatement : Statement {
  DescribeStatement() : Statement(StatementKind::kDescribe) {}
  ObjectName name;
};

/// EXPLAIN [ANALYZE] statement.
struct ExplainStatement : Statement {
  ExplainStatement() : Statement(StatementKind::kExplain) {}
  bool analyze = false;
  StatementPtr statement;
};

/// CHECKPOINT.
struct CheckpointStatement : Statement {
  CheckpointStatement() : Statement(StatementKind::kCheckpoint) {}
};

/// RESTORE FROM CHECKPOINT n.
struct RestoreStatement : Statement {
  RestoreStatement() : Statement(StatementKind::kRestore) {}
  int64_t checkpoint_id = 0;
};

/// SET name = value (or SET name TO value).
struct SetStatement : Statement {
  SetStatement() : Statement(StatementKind::kSet) {}
  ObjectName name;
  ExprPtr value;
};

/// SUBSCRIBE name [WHERE expr].
struct SubscribeStatement : Statement {
  SubscribeStatement() : Statement(StatementKind::kSubscribe) {}
  ObjectName name;
  ExprPtr where;
};

}  // namespace laminar::sql
