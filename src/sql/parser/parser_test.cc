#include "sql/parser/parser.h"

#include <gtest/gtest.h>

#include "sql/parser/parse_expectations.h"
#include "sql/parser/unparser.h"

namespace laminar::sql {
namespace {

ExprPtr Expr(std::string_view text) {
  auto expr = ParseExpression(text);
  EXPECT_TRUE(expr.ok()) << expr.status();
  if (!expr.ok()) return nullptr;
  // Expressions round-trip through a SELECT so that the unparser is checked here too.
  EXPECT_TRUE(RoundTrips("SELECT " + Unparse(**expr)));
  return std::move(expr).value();
}

const SelectBody& SelectOf(const Statement& statement) {
  return statement.As<QueryStatement>().query->body->As<SelectBody>();
}

// --- Statements ---------------------------------------------------------------------------

TEST(ParserTest, CreateSourceWithColumnsWatermarkConnectorFormatAndOptions) {
  StatementPtr statement = ParseValid(
      "CREATE OR REPLACE SOURCE IF NOT EXISTS trades (\n"
      "  symbol VARCHAR NOT NULL, price DECIMAL(10, 2), ts TIMESTAMP,\n"
      "  PRIMARY KEY (symbol),\n"
      "  WATERMARK FOR ts AS ts - INTERVAL '100ms'\n"
      ") FROM KAFKA (brokers = 'localhost:9092', topic = 'trades', properties.group.id = 'g')\n"
      "FORMAT JSON WITH (buffer_size = 65536, backpressure = 'block')");
  ASSERT_NE(statement, nullptr);
  ASSERT_EQ(statement->kind, StatementKind::kCreateSource);
  const auto& create = statement->As<CreateSourceStatement>();
  EXPECT_TRUE(create.header.or_replace);
  EXPECT_TRUE(create.header.if_not_exists);
  EXPECT_EQ(create.header.name.ToString(), "trades");
  ASSERT_EQ(create.elements.columns.size(), 3u);
  EXPECT_EQ(create.elements.columns[0].name.name, "symbol");
  EXPECT_EQ(create.elements.columns[0].type.name, "varchar");
  EXPECT_TRUE(create.elements.columns[0].not_null);
  EXPECT_EQ(create.elements.columns[1].type.params, (std::vector<int64_t>{10, 2}));
  EXPECT_EQ(create.elements.columns[2].position, (SourcePosition{2, 50, 97}));
  ASSERT_EQ(create.elements.primary_key.size(), 1u);
  ASSERT_TRUE(create.elements.watermark.has_value());
  EXPECT_EQ(create.elements.watermark->column.name, "ts");
  EXPECT_EQ(Unparse(*create.elements.watermark->expr), "ts - INTERVAL '100ms'");
  ASSERT_TRUE(create.connector.has_value());
  EXPECT_EQ(create.connector->name, "kafka");
  ASSERT_EQ(create.connector->options.size(), 3u);
  EXPECT_EQ(create.connector->options[2].key, "properties.group.id");
  ASSERT_TRUE(create.format.has_value());
  EXPECT_EQ(create.format->name, "json");
  ASSERT_EQ(create.options.size(), 2u);
  EXPECT_EQ(create.options[0].key, "buffer_size");
  EXPECT_EQ(create.options[1].position.line, 6u);
}

TEST(ParserTest, CreateSourceWithoutColumnsTakesSchemaFromConnector) {
  StatementPtr statement =
      ParseValid("CREATE SOURCE orders FROM CDC (connector = 'postgres', table = 'orders')");
  ASSERT_NE(statement, nullptr);
  const auto& create = statement->As<CreateSourceStatement>();
  EXPECT_FALSE(create.has_elements);
  EXPECT_EQ(create.connector->options[1].key, "table");
}

TEST(ParserTest, CreateSourceAcceptsWatermarkWithoutExpressionAndInlinePrimaryKey) {
  StatementPtr statement =
      ParseValid("CREATE SOURCE s (id BIGINT PRIMARY KEY, ts TIMESTAMP, WATERMARK FOR ts)");
  ASSERT_NE(statement, nullptr);
  const auto& create = statement->As<CreateSourceStatement>();
  EXPECT_EQ(create.elements.primary_key[0].name, "id");
  EXPECT_EQ(create.elements.watermark->expr, nullptr);
}

TEST(ParserTest, MultiWordAndParameterizedTypeNames) {
  StatementPtr statement = ParseValid(
      "CREATE TABLE t (a DOUBLE PRECISION, b TIMESTAMP(3) WITH TIME ZONE, c CHARACTER VARYING(5),"
      " \"Weird\" \"MyType\", PRIMARY KEY (a))");
  ASSERT_NE(statement, nullptr);
  const auto& columns = statement->As<CreateTableStatement>().elements.columns;
  EXPECT_EQ(columns[0].type.name, "double precision");
  EXPECT_EQ(columns[1].type.name, "timestamp with time zone");
  EXPECT_EQ(columns[1].type.params, (std::vector<int64_t>{3}));
  EXPECT_EQ(columns[2].type.name, "varchar");
  EXPECT_EQ(columns[3].name.name, "Weird");
  EXPECT_EQ(columns[3].type.name, "MyType");
}

TEST(ParserTest, CreateStreamWithEmitAndStreamingClauses) {
  StatementPtr statement = ParseValid(
      "CREATE STREAM ohlc AS SELECT symbol, tumble(ts, INTERVAL '1' MINUTE) AS bucket, "
      "first_value(price) AS open FROM trades GROUP BY symbol, tumble(ts, INTERVAL '1' MINUTE) "
      "EMIT ON WINDOW CLOSE ALLOWED_LATENESS INTERVAL '10' SECOND LATE DATA TO late_trades");
  ASSERT_NE(statement, nullptr);
  const auto& create = statement->As<CreateStreamStatement>();
  EXPECT_FALSE(create.materialized_view);
  ASSERT_TRUE(create.query->emit.has_value());
  EXPECT_EQ(create.query->emit->mode, EmitMode::kOnWindowClose);
  ASSERT_NE(create.query->allowed_lateness, nullptr);
  EXPECT_EQ(create.query->late_data_to->ToString(), "late_trades");
}

TEST(ParserTest, EveryEmitModeParses) {
  EXPECT_EQ(Canonical("CREATE STREAM s AS SELECT a FROM t EMIT FINAL"),
            "CREATE STREAM s AS SELECT a FROM t EMIT FINAL");
  EXPECT_EQ(Canonical("CREATE STREAM s AS SELECT a FROM t EMIT CHANGES"),
            "CREATE STREAM s AS SELECT a FROM t EMIT CHANGES");
  EXPECT_EQ(Canonical("CREATE STREAM s AS SELECT a FROM t EMIT ON UPDATE"),
            "CREATE STREAM s AS SELECT a FROM t EMIT ON UPDATE");
  EXPECT_EQ(Canonical("create stream s as select a from t emit every interval '1' second"),
            "CREATE STREAM s AS SELECT a FROM t EMIT EVERY INTERVAL '1' SECOND");
}

TEST(ParserTest, CreateStreamOptionsMayComeBeforeAsOrAfterTheQuery) {
  EXPECT_EQ(Canonical("CREATE STREAM s AS SELECT a FROM t WITH (allowed_lateness = '5 s')"),
            "CREATE STREAM s WITH (allowed_lateness = '5 s') AS SELECT a FROM t");
}

TEST(ParserTest, CreateMaterializedView) {
  StatementPtr statement =
      ParseValid("CREATE MATERIALIZED VIEW IF NOT EXISTS v AS SELECT count(*) FROM t");
  ASSERT_NE(statement, nullptr);
  EXPECT_TRUE(statement->As<CreateStreamStatement>().materialized_view);
  EXPECT_TRUE(statement->As<CreateStreamStatement>().header.if_not_exists);
}

TEST(ParserTest, CreateSinkFromWithFilterConnectorFormatAndOptions) {
  StatementPtr statement = ParseValid(
      "CREATE SINK out FROM ohlc WHERE volume > 0 INTO KAFKA (topic = 'ohlc') FORMAT AVRO "
      "WITH (delivery = 'exactly_once')");
  ASSERT_NE(statement, nullptr);
  const auto& sink = statement->As<CreateSinkStatement>();
  EXPECT_EQ(sink.from->ToString(), "ohlc");
  EXPECT_NE(sink.where, nullptr);
  EXPECT_EQ(sink.connector->name, "kafka");
  EXPECT_EQ(sink.format->name, "avro");
  EXPECT_EQ(sink.options.size(), 1u);
  EXPECT_EQ(sink.query, nullptr);
}

TEST(ParserTest, CreateSinkInlineForm) {
  StatementPtr statement = ParseValid(
      "CREATE SINK s INTO FILES (path = '/tmp/x') FORMAT CSV AS SELECT * FROM bid WHERE price > 1");
  ASSERT_NE(statement, nullptr);
  const auto& sink = statement->As<CreateSinkStatement>();
  EXPECT_FALSE(sink.from.has_value());
  ASSERT_NE(sink.query, nullptr);
  EXPECT_EQ(sink.connector->name, "files");
}

TEST(ParserTest, CreateTableAndLookupTable) {
  StatementPtr table = ParseValid(
      "CREATE TABLE instruments (symbol VARCHAR, name TEXT, PRIMARY KEY (symbol)) "
      "WITH (capacity = 1000)");
  ASSERT_NE(table, nullptr);
  EXPECT_FALSE(table->As<CreateTableStatement>().lookup);
  StatementPtr lookup = ParseValid(
      "CREATE LOOKUP TABLE customers (id BIGINT, name VARCHAR, PRIMARY KEY (id)) "
      "FROM POSTGRES (url = 'postgres://db', table = 'customers') WITH (cache = 'full')");
  ASSERT_NE(lookup, nullptr);
  const auto& create = lookup->As<CreateTableStatement>();
  EXPECT_TRUE(create.lookup);
  EXPECT_EQ(create.connector->name, "postgres");
  EXPECT_EQ(create.options[0].key, "cache");
}

TEST(ParserTest, InsertValuesAndInsertSelect) {
  StatementPtr values =
      ParseValid("INSERT INTO trades (symbol, price) VALUES ('AAPL', 150.5), ('MSFT', -2)");
  ASSERT_NE(values, nullptr);
  const auto& insert = values->As<InsertStatement>();
  EXPECT_EQ(insert.columns.size(), 2u);
  ASSERT_EQ(insert.query->body->kind, QueryBodyKind::kValues);
  EXPECT_EQ(insert.query->body->As<ValuesBody>().rows.size(), 2u);
  StatementPtr select = ParseValid("INSERT INTO archive SELECT * FROM trades WHERE price > 10");
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(select->As<InsertStatement>().query->body->kind, QueryBodyKind::kSelect);
  EXPECT_TRUE(RoundTrips("INSERT INTO t (SELECT 1)"));
}

TEST(ParserTest, UpdateAndDeleteOnTables) {
  EXPECT_EQ(Canonical("update t set a = 1, b = b + 1 where id = 3"),
            "UPDATE t SET a = 1, b = b + 1 WHERE id = 3");
  EXPECT_EQ(Canonical("delete from t where id = 3"), "DELETE FROM t WHERE id = 3");
}

TEST(ParserTest, DropEveryObjectKind) {
  StatementPtr statement = ParseValid("DROP MATERIALIZED VIEW IF EXISTS v CASCADE");
  ASSERT_NE(statement, nullptr);
  const auto& drop = statement->As<DropStatement>();
  EXPECT_EQ(drop.object_kind, ObjectKind::kMaterializedView);
  EXPECT_TRUE(drop.if_exists);
  EXPECT_TRUE(drop.cascade);
  for (const char* sql : {"DROP SOURCE s", "DROP STREAM s", "DROP SINK s", "DROP TABLE s",
                          "DROP LOOKUP TABLE s", "DROP SOURCE s RESTRICT"}) {
    EXPECT_TRUE(RoundTrips(sql)) << sql;
  }
}

TEST(ParserTest, ShowDescribeExplainCheckpointRestoreSetSubscribe) {
  EXPECT_EQ(Canonical("show sources"), "SHOW SOURCES");
  EXPECT_EQ(Canonical("show materialized views"), "SHOW MATERIALIZED VIEWS");
  EXPECT_EQ(Canonical("show lookup tables"), "SHOW LOOKUP TABLES");
  EXPECT_EQ(Canonical("SHOW STREAMS"), "SHOW STREAMS");
  EXPECT_EQ(Canonical("SHOW SINKS"), "SHOW SINKS");
  EXPECT_EQ(Canonical("SHOW TABLES"), "SHOW TABLES");
  EXPECT_EQ(Canonical("show create materialized view v"), "SHOW CREATE MATERIALIZED VIEW v");
  EXPECT_EQ(Canonical("show create source s"), "SHOW CREATE SOURCE s");
  EXPECT_EQ(Canonical("show buffer_size"), "SHOW buffer_size");
  EXPECT_EQ(Canonical("show all"), "SHOW all");
  EXPECT_EQ(Canonical("describe trades"), "DESCRIBE trades");
  EXPECT_EQ(Canonical("explain analyze select 1"), "EXPLAIN ANALYZE SELECT 1");
  EXPECT_EQ(Canonical("explain create stream s as select a from t"),
            "EXPLAIN CREATE STREAM s AS SELECT a FROM t");
  EXPECT_EQ(Canonical("checkpoint"), "CHECKPOINT");
  EXPECT_EQ(Canonical("restore from checkpoint 42"), "RESTORE FROM CHECKPOINT 42");
  EXPECT_EQ(Canonical("set checkpoint_interval = '10 seconds'"),
            "SET checkpoint_interval = '10 seconds'");
  EXPECT_EQ(Canonical("set wal_mode to sync"), "SET wal_mode = sync");
  EXPECT_EQ(Canonical("set x = on"), "SET x = \"on\"");
  EXPECT_EQ(Canonical("subscribe ohlc where symbol = 'AAPL'"),
            "SUBSCRIBE ohlc WHERE symbol = 'AAPL'");
}

TEST(ParserTest, ScriptSplitsOnSemicolonsAndSkipsEmptyStatements) {
  auto script = ParseScript(";; SELECT 1; \n SELECT 2 ;;\n-- trailing comment\n");
  ASSERT_TRUE(script.ok()) << script.status();
  ASSERT_EQ(script->size(), 2u);
  EXPECT_EQ((*script)[1]->position, (SourcePosition{2, 2, 15}));
  EXPECT_EQ((*script)[1]->end_offset, 23u);
  auto empty = ParseScript("  -- nothing\n");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ParserTest, ParseStatementAcceptsOneStatementOnly) {
  EXPECT_TRUE(ParseStatement("SELECT 1;").ok());
  auto two = ParseStatement("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().code(), ErrorCode::kSyntaxError);
  EXPECT_EQ(two.status().position().column, 11u);
}

// --- SELECT ----------------------------------------------------------------------------------

TEST(ParserTest, SelectClausesAllParse) {
  StatementPtr statement = ParseValid(
      "SELECT DISTINCT symbol, count(*) AS n FROM trades t WHERE price > 10 GROUP BY symbol "
      "HAVING count(*) > 1 QUALIFY n > 2 ORDER BY n DESC NULLS LAST, symbol LIMIT 10 OFFSET 5");
  ASSERT_NE(statement, nullptr);
  const auto& query = *statement->As<QueryStatement>().query;
  const auto& select = query.body->As<SelectBody>();
  EXPECT_TRUE(select.distinct);
  ASSERT_EQ(select.items.size(), 2u);
  EXPECT_EQ(select.items[1].alias->name, "n");
  EXPECT_EQ(select.from[0]->As<NamedTableRef>().alias->name.name, "t");
  EXPECT_NE(select.where, nullptr);
  EXPECT_EQ(select.group_by.size(), 1u);
  EXPECT_NE(select.having, nullptr);
  EXPECT_NE(select.qualify, nullptr);
  ASSERT_EQ(query.order_by.size(), 2u);
  EXPECT_EQ(query.order_by[0].direction, SortDirection::kDescending);
  EXPECT_EQ(query.order_by[0].nulls, NullsOrder::kLast);
  EXPECT_NE(query.limit, nullptr);
  EXPECT_NE(query.offset, nullptr);
}

TEST(ParserTest, SelectStarQualifiedStarAndImplicitAliases) {
  StatementPtr statement = ParseValid("SELECT *, t.*, price p, \"Mixed\" FROM trades AS t");
  ASSERT_NE(statement, nullptr);
  const auto& select = SelectOf(*statement);
  EXPECT_EQ(select.items[0].expr->kind, ExpressionKind::kStar);
  EXPECT_EQ(select.items[1].expr->As<StarExpression>().qualifier, (std::vector<std::string>{"t"}));
  EXPECT_EQ(select.items[2].alias->name, "p");
  EXPECT_EQ(select.items[3].expr->As<ColumnRefExpression>().parts[0], "Mixed");
}

TEST(ParserTest, WithClauseAndSetOperations) {
  StatementPtr statement = ParseValid(
      "WITH a (x) AS (SELECT 1), b AS (SELECT 2) SELECT x FROM a UNION ALL SELECT * FROM b "
      "INTERSECT SELECT 3 EXCEPT (SELECT 4 ORDER BY 1 LIMIT 1)");
  ASSERT_NE(statement, nullptr);
  const auto& query = *statement->As<QueryStatement>().query;
  EXPECT_EQ(query.with.size(), 2u);
  EXPECT_EQ(query.with[0].columns.size(), 1u);
  ASSERT_EQ(query.body->kind, QueryBodyKind::kSetOperation);
  const auto& except = query.body->As<SetOperationBody>();
  EXPECT_EQ(except.op, SetOperator::kExcept);
  EXPECT_EQ(except.right->kind, QueryBodyKind::kNested);
  const auto& union_all = except.left->As<SetOperationBody>();
  EXPECT_EQ(union_all.op, SetOperator::kUnion);
  EXPECT_TRUE(union_all.all);
  EXPECT_EQ(union_all.right->As<SetOperationBody>().op, SetOperator::kIntersect);
}

TEST(ParserTest, EveryJoinKindParses) {
  const char* joins[] = {
      "SELECT * FROM a JOIN b ON a.k = b.k",
      "SELECT * FROM a INNER JOIN b USING (k, j)",
      "SELECT * FROM a LEFT OUTER JOIN b ON a.k = b.k",
      "SELECT * FROM a RIGHT JOIN b ON a.k = b.k",
      "SELECT * FROM a FULL OUTER JOIN b ON a.k = b.k",
      "SELECT * FROM a CROSS JOIN b",
      "SELECT * FROM a NATURAL JOIN b",
      "SELECT * FROM a LEFT SEMI JOIN b ON a.k = b.k",
      "SELECT * FROM a ANTI JOIN b ON a.k = b.k",
      "SELECT * FROM a, b WHERE a.k = b.k",
      "SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.k = b.k",
      "SELECT * FROM a JOIN b ON a.k = b.k LEFT JOIN c ON c.k = a.k",
  };
  for (const char* sql : joins) EXPECT_TRUE(RoundTrips(sql)) << sql;
  StatementPtr statement = ParseValid("SELECT * FROM a LEFT JOIN b ON a.k = b.k");
  ASSERT_NE(statement, nullptr);
  const auto& join = SelectOf(*statement).from[0]->As<JoinTableRef>();
  EXPECT_EQ(join.join_type, JoinType::kLeft);
  EXPECT_EQ(join.left->kind, TableRefKind::kNamed);
  EXPECT_NE(join.condition, nullptr);
}

TEST(ParserTest, AsofJoinWithOnAndMatchCondition) {
  StatementPtr statement = ParseValid(
      "SELECT * FROM trades t ASOF JOIN quotes q ON t.symbol = q.symbol AND t.ts >= q.ts");
  ASSERT_NE(statement, nullptr);
  EXPECT_TRUE(SelectOf(*statement).from[0]->As<JoinTableRef>().asof);
  StatementPtr matched = ParseValid(
      "SELECT * FROM a ASOF LEFT JOIN b MATCH_CONDITION (NEAREST(a.ts, b.ts)) "
      "ON a.k = b.k");
  ASSERT_NE(matched, nullptr);
  const auto& join = SelectOf(*matched).from[0]->As<JoinTableRef>();
  EXPECT_TRUE(join.asof);
  EXPECT_EQ(join.join_type, JoinType::kLeft);
  EXPECT_NE(join.match_condition, nullptr);
  EXPECT_TRUE(RoundTrips("SELECT * FROM a ASOF JOIN b ON a.k = b.k MATCH_CONDITION(a.ts >= b.ts)"));
  EXPECT_TRUE(RoundTrips("SELECT * FROM a LEFT ASOF JOIN b MATCH_CONDITION(a.ts >= b.ts)"));
}

TEST(ParserTest, TemporalJoinForSystemTimeAsOf) {
  StatementPtr statement = ParseValid(
      "SELECT * FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r "
      "ON o.currency = r.currency");
  ASSERT_NE(statement, nullptr);
  const auto& rates = SelectOf(*statement).from[0]->As<JoinTableRef>().right->As<NamedTableRef>();
  ASSERT_NE(rates.system_time, nullptr);
  EXPECT_EQ(rates.alias->name.name, "r");
}

TEST(ParserTest, TableValuedWindowFunctions) {
  StatementPtr statement = ParseValid(
      "SELECT window_start, count(*) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), "
      "INTERVAL '10' SECOND)) AS w GROUP BY window_start, window_end");
  ASSERT_NE(statement, nullptr);
  const auto& function = SelectOf(*statement).from[0]->As<TableFunctionRef>();
  EXPECT_TRUE(function.table_wrapper);
  EXPECT_EQ(function.name, (std::vector<std::string>{"tumble"}));
  ASSERT_EQ(function.args.size(), 3u);
  EXPECT_EQ(function.args[0].kind, TableFunctionArgumentKind::kTable);
  EXPECT_EQ(function.args[1].kind, TableFunctionArgumentKind::kDescriptor);
  EXPECT_EQ(function.args[2].kind, TableFunctionArgumentKind::kExpression);
  EXPECT_TRUE(
      RoundTrips("SELECT * FROM TABLE(HOP(DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), "
                 "SLIDE => INTERVAL '2' SECOND, SIZE => INTERVAL '10' SECOND))"));
  EXPECT_TRUE(RoundTrips("SELECT * FROM generate_series(1, 10) g (n)"));
}

TEST(ParserTest, SubqueriesInFromWhereAndSelect) {
  EXPECT_TRUE(
      RoundTrips("SELECT (SELECT max(p) FROM t) AS m FROM (SELECT * FROM bid) b (x, y) "
                 "WHERE x IN (SELECT a FROM c) AND EXISTS (SELECT 1) AND NOT EXISTS (VALUES (1))"));
  EXPECT_TRUE(RoundTrips("SELECT * FROM (SELECT 1) WHERE 1 = 1"));
  EXPECT_TRUE(RoundTrips("SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS u"));
}

// --- Expressions ---------------------------------------------------------------------------

TEST(ParserTest, MultiplicationBindsTighterThanAddition) {
  ExprPtr expr = Expr("1 + 2 * 3 - 4");
  ASSERT_NE(expr, nullptr);
  const auto& subtract = expr->As<BinaryExpression>();
  EXPECT_EQ(subtract.op, BinaryOperator::kSubtract);
  const auto& add = subtract.left->As<BinaryExpression>();
  EXPECT_EQ(add.op, BinaryOperator::kAdd);
  EXPECT_EQ(add.right->As<BinaryExpression>().op, BinaryOperator::kMultiply);
}

TEST(ParserTest, AndBindsTighterThanOrAndNotTighterThanAnd) {
  ExprPtr expr = Expr("a OR NOT b AND c OR d");
  ASSERT_NE(expr, nullptr);
  const auto& disjunction = expr->As<LogicalExpression>();
  EXPECT_EQ(disjunction.op, LogicalOperator::kOr);
  ASSERT_EQ(disjunction.operands.size(), 3u);
  const auto& conjunction = disjunction.operands[1]->As<LogicalExpression>();
  EXPECT_EQ(conjunction.op, LogicalOperator::kAnd);
  EXPECT_EQ(conjunction.operands[0]->As<UnaryExpression>().op, UnaryOperator::kNot);
}

TEST(ParserTest, ComparisonBindsTighterThanNotAndLooserThanArithmetic) {
  ExprPtr expr = Expr("NOT a + 1 = b");
  ASSERT_NE(expr, nullptr);
  const auto& negation = expr->As<UnaryExpression>();
  const auto& equal = negation.operand->As<BinaryExpression>();
  EXPECT_EQ(equal.op, BinaryOperator::kEqual);
  EXPECT_EQ(equal.left->As<BinaryExpression>().op, BinaryOperator::kAdd);
}

TEST(ParserTest, UnaryMinusBindsTighterThanMultiplicationAndLooserThanCast) {
  ExprPtr expr = Expr("-a * b");
  ASSERT_NE(expr, nullptr);
  EXPECT_EQ(expr->As<BinaryExpression>().left->kind, ExpressionKind::kUnary);
  ExprPtr cast = Expr("-a::int");
  ASSERT_NE(cast, nullptr);
  EXPECT_EQ(cast->As<UnaryExpression>().operand->kind, ExpressionKind::kCast);
  EXPECT_EQ(Unparse(*Expr("- -1")), "-(-1)");
}

TEST(ParserTest, IsBindsLooserThanComparison) {
  ExprPtr expr = Expr("a = b IS NOT NULL");
  ASSERT_NE(expr, nullptr);
  const auto& is = expr->As<IsExpression>();
  EXPECT_TRUE(is.negated);
  EXPECT_EQ(is.operand->As<BinaryExpression>().op, BinaryOperator::kEqual);
}

TEST(ParserTest, ConcatenationBindsLooserThanAddition) {
  ExprPtr expr = Expr("a || b + 1");
  ASSERT_NE(expr, nullptr);
  EXPECT_EQ(expr->As<BinaryExpression>().op, BinaryOperator::kConcat);
}

TEST(ParserTest, BetweenBoundsAreArithmeticAndAndEndsThem) {
  ExprPtr expr =
      Expr("b.ts BETWEEN a.ts - INTERVAL '10' SECOND AND a.ts + INTERVAL '10' SECOND AND x");
  ASSERT_NE(expr, nullptr);
  const auto& conjunction = expr->As<LogicalExpression>();
  ASSERT_EQ(conjunction.operands.size(), 2u);
  const auto& between = conjunction.operands[0]->As<BetweenExpression>();
  EXPECT_EQ(between.low->As<BinaryExpression>().op, BinaryOperator::kSubtract);
  EXPECT_EQ(between.high->As<BinaryExpression>().op, BinaryOperator::kAdd);
  ExprPtr symmetric = Expr("x NOT BETWEEN SYMMETRIC 1 AND 2");
  ASSERT_NE(symmetric, nullptr);
  EXPECT_TRUE(symmetric->As<BetweenExpression>().negated);
  EXPECT_TRUE(symmetric->As<BetweenExpression>().symmetric);
}

TEST(ParserTest, PredicatesInLikeIsDistinct) {
  ExprPtr in = Expr("a NOT IN (1, 2, 3)");
  ASSERT_NE(in, nullptr);
  EXPECT_TRUE(in->As<InListExpression>().negated);
  EXPECT_EQ(in->As<InListExpression>().items.size(), 3u);
  ExprPtr like = Expr("name NOT ILIKE 'a!%%' ESCAPE '!'");
  ASSERT_NE(like, nullptr);
  EXPECT_TRUE(like->As<LikeExpression>().case_insensitive);
  EXPECT_TRUE(like->As<LikeExpression>().negated);
  EXPECT_NE(like->As<LikeExpression>().escape, nullptr);
  ExprPtr distinct = Expr("a IS NOT DISTINCT FROM b");
  ASSERT_NE(distinct, nullptr);
  EXPECT_EQ(distinct->As<BinaryExpression>().op, BinaryOperator::kIsNotDistinctFrom);
  for (const char* text : {"a IS TRUE", "a IS NOT FALSE", "a IS UNKNOWN", "a IS NULL"}) {
    EXPECT_EQ(Unparse(*Expr(text)), text);
  }
}

TEST(ParserTest, LiteralsOfEveryKind) {
  EXPECT_EQ(Expr("42")->As<LiteralExpression>().literal_kind, LiteralKind::kInteger);
  EXPECT_EQ(Expr("0.908")->As<LiteralExpression>().literal_kind, LiteralKind::kDecimal);
  EXPECT_EQ(Expr("'x'")->As<LiteralExpression>().literal_kind, LiteralKind::kString);
  EXPECT_EQ(Expr("TRUE")->As<LiteralExpression>().value, "true");
  EXPECT_EQ(Expr("null")->As<LiteralExpression>().literal_kind, LiteralKind::kNull);
  ExprPtr timestamp = Expr("TIMESTAMP '2024-01-01 00:00:00'");
  ASSERT_NE(timestamp, nullptr);
  EXPECT_EQ(timestamp->As<TypedLiteralExpression>().type_name, "timestamp");
  EXPECT_EQ(Unparse(*Expr("date '2024-01-01'")), "DATE '2024-01-01'");
}

TEST(ParserTest, IntervalLiteralsInEverySeedForm) {
  ExprPtr compact = Expr("INTERVAL '100ms'");
  ASSERT_NE(compact, nullptr);
  EXPECT_EQ(compact->As<IntervalLiteralExpression>().value, "100ms");
  EXPECT_FALSE(compact->As<IntervalLiteralExpression>().leading_field.has_value());
  ExprPtr unit = Expr("INTERVAL '1' SECOND");
  ASSERT_NE(unit, nullptr);
  EXPECT_EQ(unit->As<IntervalLiteralExpression>().leading_field, IntervalField::kSecond);
  EXPECT_EQ(Unparse(*Expr("interval '10' seconds")), "INTERVAL '10' SECOND");
  EXPECT_EQ(Unparse(*Expr("INTERVAL '1 minute'")), "INTERVAL '1 minute'");
  ExprPtr range = Expr("INTERVAL '5:30' MINUTE TO SECOND");
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->As<IntervalLiteralExpression>().trailing_field, IntervalField::kSecond);
}

TEST(ParserTest, WordsLikeTimestampAndIntervalStayUsableAsColumnNames) {
  ExprPtr expr = Expr("timestamp + interval");
  ASSERT_NE(expr, nullptr);
  EXPECT_EQ(expr->As<BinaryExpression>().left->kind, ExpressionKind::kColumnRef);
  EXPECT_TRUE(RoundTrips("SELECT state, date, source FROM person"));
}

TEST(ParserTest, CaseInBothForms) {
  ExprPtr searched = Expr("CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' ELSE 'z' END");
  ASSERT_NE(searched, nullptr);
  EXPECT_EQ(searched->As<CaseExpression>().operand, nullptr);
  EXPECT_EQ(searched->As<CaseExpression>().when_clauses.size(), 2u);
  ExprPtr simple = Expr("CASE channel WHEN 'apple' THEN 0 END");
  ASSERT_NE(simple, nullptr);
  EXPECT_NE(simple->As<CaseExpression>().operand, nullptr);
  EXPECT_EQ(simple->As<CaseExpression>().else_result, nullptr);
}

TEST(ParserTest, CastInAllSpellings) {
  ExprPtr cast = Expr("CAST(price AS DECIMAL(10, 2))");
  ASSERT_NE(cast, nullptr);
  EXPECT_FALSE(cast->As<CastExpression>().double_colon);
  EXPECT_EQ(cast->As<CastExpression>().type.params.size(), 2u);
  ExprPtr colon = Expr("(a + b)::bigint");
  ASSERT_NE(colon, nullptr);
  EXPECT_TRUE(colon->As<CastExpression>().double_colon);
  EXPECT_EQ(Unparse(*colon), "(a + b)::BIGINT");
  EXPECT_TRUE(Expr("TRY_CAST(x AS INT)")->As<CastExpression>().try_cast);
}

TEST(ParserTest, FunctionCallsWithDistinctStarFilterAndOver) {
  ExprPtr distinct = Expr("count(DISTINCT bidder) FILTER (WHERE price < 10000)");
  ASSERT_NE(distinct, nullptr);
  const auto& call = distinct->As<FunctionCallExpression>();
  EXPECT_TRUE(call.distinct);
  EXPECT_NE(call.filter, nullptr);
  EXPECT_TRUE(Expr("COUNT(*)")->As<FunctionCallExpression>().star_argument);
  ExprPtr window = Expr(
      "AVG(price) OVER (PARTITION BY symbol ORDER BY ts ROWS BETWEEN 9 PRECEDING AND CURRENT "
      "ROW)");
  ASSERT_NE(window, nullptr);
  const auto& over = *window->As<FunctionCallExpression>().over;
  EXPECT_EQ(over.partition_by.size(), 1u);
  EXPECT_EQ(over.order_by.size(), 1u);
  EXPECT_EQ(over.frame->unit, FrameUnit::kRows);
  EXPECT_EQ(over.frame->start.kind, FrameBoundKind::kPreceding);
  EXPECT_EQ(over.frame->end->kind, FrameBoundKind::kCurrentRow);
  for (const char* text :
       {"lag(price, 1) OVER (PARTITION BY symbol ORDER BY ts)", "row_number() OVER ()",
        "sum(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND UNBOUNDED "
        "FOLLOWING)",
        "sum(x) OVER (ROWS UNBOUNDED PRECEDING)", "CURRENT_TIMESTAMP", "left('abc', 2)",
        "db.my_function(1)"}) {
    EXPECT_TRUE(RoundTrips(std::string("SELECT ") + text)) << text;
  }
}

TEST(ParserTest, ExtractAndSubstringSpecialForms) {
  ExprPtr extract = Expr("EXTRACT(HOUR FROM date_time)");
  ASSERT_NE(extract, nullptr);
  EXPECT_EQ(extract->As<ExtractExpression>().field, "hour");
  ExprPtr substring = Expr("SUBSTRING(url FROM 2 FOR 3)");
  ASSERT_NE(substring, nullptr);
  EXPECT_NE(substring->As<SubstringExpression>().length, nullptr);
  EXPECT_EQ(Expr("substring(url, 2, 3)")->kind, ExpressionKind::kFunctionCall);
  EXPECT_EQ(Unparse(*Expr("substring(url for 3)")), "SUBSTRING(url FOR 3)");
}

TEST(ParserTest, QuotedNamesKeepCaseAndReservedWordsNeedQuotes) {
  StatementPtr statement = ParseValid("SELECT \"from\", \"Select\" FROM \"Table\"");
  ASSERT_NE(statement, nullptr);
  EXPECT_EQ(Unparse(*statement), "SELECT \"from\", \"Select\" FROM \"Table\"");
}

TEST(ParserTest, ExpressionAndStatementPositionsPointAtFirstToken) {
  StatementPtr statement = ParseValid("SELECT a,\n   b + 1 FROM t");
  ASSERT_NE(statement, nullptr);
  const Expression& sum = *SelectOf(*statement).items[1].expr;
  EXPECT_EQ(sum.position, (SourcePosition{2, 4, 13}));
  EXPECT_EQ(sum.end_offset, 18u);
  EXPECT_EQ(sum.As<BinaryExpression>().right->position, (SourcePosition{2, 8, 17}));
}

TEST(ParserTest, LongAndChainsAreFlat) {
  ExprPtr expr = Expr("a AND b AND c AND d");
  ASSERT_NE(expr, nullptr);
  EXPECT_EQ(expr->As<LogicalExpression>().operands.size(), 4u);
  ExprPtr nested = Expr("a AND (b AND c)");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->As<LogicalExpression>().operands.size(), 2u);
  EXPECT_EQ(Unparse(*nested), "a AND (b AND c)");
}

// --- Errors --------------------------------------------------------------------------------

TEST(ParserTest, MisspelledFromIsReportedAtTheMisspelling) {
  auto result = ParseStatement("SELECT a FORM t");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kSyntaxError);
  EXPECT_EQ(result.status().message(), "syntax error at or near \"FORM\": expected FROM");
  EXPECT_EQ(result.status().position(), (SourcePosition{1, 10, 9}));
  EXPECT_TRUE(FailsAt("SELECT a FROM t WHER x = 1", ErrorCode::kSyntaxError, 1, 17));
}

TEST(ParserTest, SyntaxErrorsNameWhatWasExpectedAndWhere) {
  auto result = ParseStatement("SELECT a FROM");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "syntax error at end of input: expected a table name, \"(\" or TABLE(...)");
  EXPECT_EQ(result.status().position().column, 14u);

  auto missing_paren = ParseStatement("SELECT count(a FROM t");
  ASSERT_FALSE(missing_paren.ok());
  EXPECT_EQ(missing_paren.status().message(), "syntax error at or near \"FROM\": expected \")\"");

  auto reserved = ParseStatement("SELECT a FROM t AS select");
  ASSERT_FALSE(reserved.ok());
  EXPECT_NE(reserved.status().message().find("reserved word"), std::string_view::npos);
}

TEST(ParserTest, ErrorPositionsAcrossStatementsAndLines) {
  EXPECT_TRUE(FailsAt("SELECT 1;\nSELEC 2", ErrorCode::kSyntaxError, 2, 1));
  EXPECT_TRUE(FailsAt("CREATE SOURCE s (a INT,)", ErrorCode::kSyntaxError, 1, 24));
  EXPECT_TRUE(FailsAt("CREATE VIEW v AS SELECT 1", ErrorCode::kSyntaxError, 1, 8));
  EXPECT_TRUE(
      FailsAt("CREATE SOURCE s (a INT) FROM KAFKA (topic 'x')", ErrorCode::kSyntaxError, 1, 43));
  EXPECT_TRUE(FailsAt("CREATE STREAM s SELECT 1", ErrorCode::kSyntaxError, 1, 17));
  EXPECT_TRUE(
      FailsAt("CREATE STREAM s AS SELECT a FROM t EMIT SOON", ErrorCode::kSyntaxError, 1, 41));
  EXPECT_TRUE(FailsAt("CREATE SINK s TO kafka", ErrorCode::kSyntaxError, 1, 15));
  EXPECT_TRUE(FailsAt("CREATE LOOKUP TABLE t (a INT)", ErrorCode::kSyntaxError, 1, 30));
  EXPECT_TRUE(FailsAt("SELECT * FROM a JOIN b", ErrorCode::kSyntaxError, 1, 23));
  EXPECT_TRUE(FailsAt("SELECT * FROM a JOIN b MATCH_CONDITION(a.ts >= b.ts)",
                      ErrorCode::kSyntaxError, 1, 24));
  EXPECT_TRUE(FailsAt("SELECT CASE END", ErrorCode::kSyntaxError, 1, 13));
  EXPECT_TRUE(FailsAt("SELECT a IS 3", ErrorCode::kSyntaxError, 1, 13));
  EXPECT_TRUE(FailsAt("SELECT a BETWEEN 1 OR 2", ErrorCode::kSyntaxError, 1, 20));
  EXPECT_TRUE(FailsAt("SELECT EXTRACT(HOUR date_time)", ErrorCode::kSyntaxError, 1, 21));
  EXPECT_TRUE(FailsAt("SELECT f(a) OVER (ORDER BY ts ROWS 3)", ErrorCode::kSyntaxError, 1, 37));
  EXPECT_TRUE(FailsAt("DROP SOURCE IF s", ErrorCode::kSyntaxError, 1, 16));
  EXPECT_TRUE(FailsAt("RESTORE FROM CHECKPOINT x", ErrorCode::kSyntaxError, 1, 25));
  EXPECT_TRUE(FailsAt("SET x 1", ErrorCode::kSyntaxError, 1, 7));
  EXPECT_TRUE(FailsAt("SELECT a FROM t LIMIT", ErrorCode::kSyntaxError, 1, 22));
  EXPECT_TRUE(FailsAt("SELECT 1 SELECT 2", ErrorCode::kSyntaxError, 1, 10));
  EXPECT_TRUE(FailsAt("SELECT (1, 2)", ErrorCode::kSyntaxError, 1, 10));
  EXPECT_TRUE(FailsAt("SELECT * FROM t GROUP a", ErrorCode::kSyntaxError, 1, 23));
  EXPECT_TRUE(FailsAt("CREATE SOURCE s (a INT, PRIMARY KEY (a), PRIMARY KEY (a))",
                      ErrorCode::kSyntaxError, 1, 42));
}

TEST(ParserTest, LexerErrorsSurfaceAsInvalidToken) {
  EXPECT_TRUE(FailsAt("SELECT 'abc", ErrorCode::kInvalidToken, 1, 8));
  EXPECT_TRUE(FailsAt("SELECT a\n  # b", ErrorCode::kInvalidToken, 2, 3));
}

TEST(ParserTest, OutOfRangeIntegersAreInvalidLiterals) {
  EXPECT_TRUE(
      FailsAt("RESTORE FROM CHECKPOINT 99999999999999999999", ErrorCode::kInvalidLiteral, 1, 25));
  EXPECT_TRUE(FailsAt("CREATE TABLE t (a DECIMAL(99999999999999999999))",
                      ErrorCode::kInvalidLiteral, 1, 27));
}

}  // namespace
}  // namespace laminar::sql
