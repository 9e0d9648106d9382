#include <benchmark/benchmark.h>

#include <vector>

#include "functions/function_registry.h"

namespace laminar::functions {
namespace {

// A mix of calls as the Nexmark queries make them: operators with promotion, a decimal
// product, literal coercion, string and window-assignment functions, aggregates.
void BM_ResolveNexmarkMix(benchmark::State& state) {
  const FunctionRegistry& registry = FunctionRegistry::BuiltIn();
  ArgumentInfo bigint{.type = DataType::BigInt()};
  ArgumentInfo integer{.type = DataType::Integer()};
  ArgumentInfo decimal{.type = *DataType::Decimal(4, 3)};
  ArgumentInfo timestamp{.type = DataType::Timestamp()};
  ArgumentInfo interval{.type = DataType::Interval()};
  ArgumentInfo varchar{.type = DataType::Varchar()};
  ArgumentInfo literal{
      .type = DataType::Varchar(), .is_string_literal = true, .literal_text = "YYYY-MM-DD"};
  struct Call {
    std::string_view name;
    FunctionKind kind;
    std::vector<ArgumentInfo> arguments;
  };
  const std::vector<Call> calls = {
      {"=", FunctionKind::kScalar, {bigint, integer}},
      {"*", FunctionKind::kScalar, {decimal, bigint}},
      {"%", FunctionKind::kScalar, {bigint, integer}},
      {"-", FunctionKind::kScalar, {timestamp, interval}},
      {"<", FunctionKind::kScalar, {literal, timestamp}},
      {"to_char", FunctionKind::kScalar, {timestamp, literal}},
      {"split_part", FunctionKind::kScalar, {varchar, literal, integer}},
      {"tumble", FunctionKind::kScalar, {timestamp, interval}},
      {"count", FunctionKind::kAggregate, {}},
      {"avg", FunctionKind::kAggregate, {bigint}},
  };
  for (auto _ : state) {
    for (const Call& call : calls) {
      Result<ResolvedFunction> resolved = registry.Resolve(call.name, call.kind, call.arguments);
      benchmark::DoNotOptimize(resolved);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(calls.size()));
}
BENCHMARK(BM_ResolveNexmarkMix);

}  // namespace
}  // namespace laminar::functions
