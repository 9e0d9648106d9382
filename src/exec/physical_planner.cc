#include "exec/physical_planner.h"

#include <fmt/format.h>

#include <vector>

#include "exec/operators/pipeline_operator.h"
#include "exec/operators/union_operator.h"
#include "sql/object_kind.h"
#include "sql/plan/logical_scan.h"
#include "sql/plan/logical_sink.h"

namespace laminar::exec {
namespace {

using sql::LogicalNode;
using sql::LogicalNodeKind;

Status NotExecutable(const LogicalNode& node, std::string_view what) {
  return Status::Error(ErrorCode::kNotSupported,
                       "{} is not executable in a continuous query yet (the plan node is: {})",
                       what, node.Describe())
      .WithPosition(node.position());
}

std::string_view ClauseName(LogicalNodeKind kind) {
  switch (kind) {
    case LogicalNodeKind::kWindowTableFunction:
      return "a window table function (TUMBLE/HOP/SESSION/CUMULATE)";
    case LogicalNodeKind::kAggregate:
      return "aggregation (GROUP BY or an aggregate function)";
    case LogicalNodeKind::kJoin:
      return "a join";
    case LogicalNodeKind::kOver:
      return "an OVER window function";
    case LogicalNodeKind::kTopN:
      return "Top-N (ORDER BY ... LIMIT, or ROW_NUMBER() filtered by rank)";
    case LogicalNodeKind::kSort:
      return "ORDER BY";
    case LogicalNodeKind::kLimit:
      return "LIMIT";
    case LogicalNodeKind::kValues:
      return "VALUES in a continuous query";
    default:
      return "this clause";
  }
}

class Translator {
 public:
  Translator(Dataflow* flow, const EvaluatorOptions& options) : flow_(flow), options_(options) {}

  /// Translates `node`, whose output goes to operator `parent` at `port`.
  Status Translate(const LogicalNode& node, int parent, int port) {
    switch (node.kind()) {
      case LogicalNodeKind::kSink:
        return Translate(*node.inputs()[0], parent, port);
      case LogicalNodeKind::kScan:
        return TranslateScan(static_cast<const sql::LogicalScan&>(node), parent, port);
      case LogicalNodeKind::kFilter:
      case LogicalNodeKind::kProject:
        return TranslatePipeline(node, parent, port);
      case LogicalNodeKind::kUnion:
        return TranslateUnion(node, parent, port);
      default:
        return NotExecutable(node, ClauseName(node.kind()));
    }
  }

 private:
  Status TranslateScan(const sql::LogicalScan& scan, int parent, int port) {
    if (scan.object_kind == sql::ObjectKind::kTable ||
        scan.object_kind == sql::ObjectKind::kLookupTable) {
      return NotExecutable(scan,
                           fmt::format("reading {} \"{}\" (tables are joined, as lookup "
                                       "or temporal joins)",
                                       sql::ObjectKindKeyword(scan.object_kind), scan.object_name));
    }
    if (scan.object_kind == sql::ObjectKind::kMaterializedView) {
      return NotExecutable(
          scan, fmt::format("reading MATERIALIZED VIEW \"{}\" as a stream", scan.object_name));
    }
    if (scan.properties().mode == sql::ChangelogMode::kChangelog) {
      return NotExecutable(scan,
                           fmt::format("reading the changelog of {} \"{}\" (an upsert "
                                       "source with PRIMARY KEY, or a changelog stream)",
                                       sql::ObjectKindKeyword(scan.object_kind), scan.object_name));
    }
    flow_->AddInput(Dataflow::Input{scan.object_name, parent, port});
    return Status::Ok();
  }

  /// Collects the run of Filter/Project nodes starting at `top` (outermost first) into one
  /// fused pipeline, innermost step first.
  Status TranslatePipeline(const LogicalNode& top, int parent, int port) {
    std::vector<const LogicalNode*> chain;
    const LogicalNode* node = &top;
    while (node->kind() == LogicalNodeKind::kFilter || node->kind() == LogicalNodeKind::kProject) {
      chain.push_back(node);
      node = node->inputs()[0].get();
    }
    std::vector<PipelineStep> steps;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      LAMINAR_ASSIGN_OR_RETURN(PipelineStep step, MakePipelineStep(**it, options_));
      steps.push_back(std::move(step));
    }
    const int index = flow_->AddOperator(
        std::make_unique<PipelineOperator>(std::move(steps), top.schema()), parent, port);
    return Translate(*node, index, 0);
  }

  Status TranslateUnion(const LogicalNode& node, int parent, int port) {
    const int inputs = static_cast<int>(node.inputs().size());
    const int index =
        flow_->AddOperator(std::make_unique<UnionOperator>(inputs, node.schema()), parent, port);
    for (int i = 0; i < inputs; ++i) {
      LAMINAR_RETURN_IF_ERROR(Translate(*node.inputs()[static_cast<size_t>(i)], index, i));
    }
    return Status::Ok();
  }

  Dataflow* flow_;
  const EvaluatorOptions& options_;
};

}  // namespace

Result<std::unique_ptr<Dataflow>> PlanContinuousQuery(const sql::LogicalNode& root,
                                                      const EvaluatorOptions& options) {
  auto flow = std::make_unique<Dataflow>();
  Translator translator(flow.get(), options);
  LAMINAR_RETURN_IF_ERROR(translator.Translate(root, -1, 0));
  return flow;
}

}  // namespace laminar::exec
