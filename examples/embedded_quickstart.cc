// The README's C++ quickstart as a program that CI builds and runs: open a database, declare a
// source and a stream in SQL, push rows and structs, read the results from a subscription.

#include <fmt/format.h>

#include "laminar/laminardb.h"

namespace {

struct Trade {
  std::string symbol;
  double price = 0;
  laminar::Timestamp ts;
};

laminar::Status Run() {
  LAMINAR_ASSIGN_OR_RETURN(std::unique_ptr<laminar::LaminarDB> db, laminar::LaminarDB::Open());
  LAMINAR_RETURN_IF_ERROR(
      db->Execute("CREATE SOURCE trades (symbol VARCHAR, price DOUBLE, ts TIMESTAMP, "
                  "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)")
          .status());
  LAMINAR_RETURN_IF_ERROR(
      db->Execute("CREATE STREAM big AS SELECT symbol, price FROM trades WHERE price > 100")
          .status());
  LAMINAR_ASSIGN_OR_RETURN(laminar::Subscription big, db->Subscribe("big"));
  LAMINAR_RETURN_IF_ERROR(db->Start());
  {
    LAMINAR_ASSIGN_OR_RETURN(laminar::SourceHandle trades, db->Source("trades"));
    LAMINAR_RETURN_IF_ERROR(trades.Push({laminar::Value::Varchar("AAPL"),
                                         laminar::Value::Double(150.25),
                                         laminar::Value::Timestamp(1'714'555'800'000'000)}));
  }  // The handle gives the source's first producer back when it goes.

  const auto layout = laminar::RecordLayout<Trade>()
                          .Field("symbol", &Trade::symbol)
                          .Field("price", &Trade::price)
                          .Field("ts", &Trade::ts);
  LAMINAR_ASSIGN_OR_RETURN(laminar::TypedSource<Trade> typed,
                           db->Source<Trade>("trades", layout));
  LAMINAR_RETURN_IF_ERROR(typed.Push(Trade{"MSFT", 410.0, {1'714'555'801'000'000}}));
  LAMINAR_RETURN_IF_ERROR(typed.Push(Trade{"TINY", 1.0, {1'714'555'802'000'000}}));

  int64_t rows = 0;
  while (rows < 2) {
    LAMINAR_ASSIGN_OR_RETURN(laminar::ChangeBatch batch,
                             big.RecvTimeout(std::chrono::seconds(10)));
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      fmt::print("{} {}\n", batch.rows.column(0).GetValue(row).ToString(),
                 batch.rows.column(1).GetValue(row).ToString());
    }
    rows += batch.num_rows();
  }
  return db->Shutdown();
}

}  // namespace

int main() {
  laminar::Status status = Run();
  if (!status.ok()) {
    fmt::print(stderr, "{}\n", status.ToString());
    return 1;
  }
  return 0;
}
