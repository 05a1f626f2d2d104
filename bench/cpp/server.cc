// The C++ peer for bench/compare.sh: the four services on gRPC C++'s
// callback API (Debian's libgrpc++), answering as grpc-demo does (the same
// symbol check, price walk and summary as src/server/stock.rs, report.rs).
// usage: cpp-server [PORT]   (prints "listening on 127.0.0.1:PORT")
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include "greet.grpc.pb.h"
#include "message.grpc.pb.h"
#include "report.grpc.pb.h"
#include "stock.grpc.pb.h"

namespace {

class Greeter final : public packages::GreetService::CallbackService {
  grpc::ServerUnaryReactor* sayHello(grpc::CallbackServerContext* context,
                                     const packages::helloRequest* request,
                                     packages::helloResponse* response) override {
    response->set_msg("hello, " + request->name());
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

class Replies final : public grpc::ServerBidiReactor<packages::MessageRequest, packages::MessageResponse> {
 public:
  Replies() { StartRead(&request_); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    response_.set_code(200);
    switch (request_.msgtype()) {
      case packages::START: response_.set_message("started"); break;
      case packages::END: response_.set_message("done"); break;
      default: response_.set_message("doing"); break;
    }
    ended_ = request_.msgtype() == packages::END;
    StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok || ended_) {
      Finish(grpc::Status::OK);
      return;
    }
    StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  packages::MessageRequest request_;
  packages::MessageResponse response_;
  bool ended_ = false;
};

class Messenger final : public packages::MessageService::CallbackService {
  grpc::ServerBidiReactor<packages::MessageRequest, packages::MessageResponse>* iter_message(
      grpc::CallbackServerContext*) override {
    return new Replies();
  }
};

// --- StockService.watch (server streaming) ---

// FNV-1a seed, splitmix64 steps, moves of up to 1% in cents: as PriceWalk
// in src/server/stock.rs, so both servers send the same prices.
class PriceWalk {
 public:
  explicit PriceWalk(const std::string& symbol) {
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (unsigned char b : symbol) hash = (hash ^ b) * 0x100000001b3ULL;
    state_ = hash;
    cents_ = 1000 + NextRandom() % 49000;
  }

  double NextPrice() {
    double price = static_cast<double>(cents_) / 100.0;
    uint64_t step = NextRandom() % 201;
    if (step > 100) {
      uint64_t bp = step - 100;
      cents_ = SaturatingAdd(cents_, std::max<uint64_t>(SaturatingMul(cents_, bp) / 10000, 1));
    } else if (step < 100) {
      uint64_t bp = 100 - step;
      uint64_t fall = std::max<uint64_t>(SaturatingMul(cents_, bp) / (10000 + bp), 1);
      cents_ = std::max<uint64_t>(cents_ > fall ? cents_ - fall : 0, 1);
    }
    return price;
  }

 private:
  static uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
    uint64_t sum;
    return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
  }
  static uint64_t SaturatingMul(uint64_t a, uint64_t b) {
    uint64_t product;
    return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
  }
  uint64_t NextRandom() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_;
  uint64_t cents_ = 0;
};

// Upper-cases the symbol; false unless 1 to 12 characters of A-Z, 0-9, '.'.
bool NormaliseSymbol(std::string* symbol) {
  if (symbol->empty() || symbol->size() > 12) return false;
  for (char& c : *symbol) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.')) return false;
  }
  return true;
}

int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One quote per write; the next write starts when the last one is done (so
// a slow reader gets back-pressure), at once for interval 0, else when an
// alarm fires. gRPC cancels the call on the client's cancel or deadline.
class Quotes final : public grpc::ServerWriteReactor<packages::Quote> {
 public:
  Quotes(std::string symbol, uint64_t count, uint32_t interval_ms)
      : walk_(symbol), count_(count), interval_(interval_ms), due_(std::chrono::system_clock::now()) {
    quote_.set_symbol(std::move(symbol));
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::CANCELLED);
      return;
    }
    if (count_ != 0 && sent_ >= count_) {
      Finish(grpc::Status::OK);
      return;
    }
    if (interval_.count() == 0) {
      WriteNext();
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) {
      Finish(grpc::Status::CANCELLED);
      return;
    }
    // A reader that fell behind gets the next quote one interval after it
    // asked, not a burst (tokio's MissedTickBehavior::Delay).
    auto now = std::chrono::system_clock::now();
    due_ = std::max(due_ + interval_, now);
    alarm_ = std::make_unique<grpc::Alarm>();
    alarm_->Set(due_, [this](bool fired) {
      if (fired) {
        WriteNext();
      } else {
        Finish(grpc::Status::CANCELLED);
      }
    });
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    if (alarm_) alarm_->Cancel();
  }

  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    quote_.set_seq(++sent_);
    quote_.set_price(walk_.NextPrice());
    quote_.set_time_unix_ms(UnixMillis());
    StartWrite(&quote_);
  }

  packages::Quote quote_;
  PriceWalk walk_;
  uint64_t count_;
  uint64_t sent_ = 0;
  std::chrono::milliseconds interval_;
  std::chrono::system_clock::time_point due_;
  std::mutex mu_;
  bool cancelled_ = false;
  std::unique_ptr<grpc::Alarm> alarm_;
};

// Answers a refused request: finishes at once with the status.
class Refusal final : public grpc::ServerWriteReactor<packages::Quote> {
 public:
  explicit Refusal(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

class Stocks final : public packages::StockService::CallbackService {
  grpc::ServerWriteReactor<packages::Quote>* watch(grpc::CallbackServerContext*,
                                                   const packages::WatchRequest* request) override {
    std::string symbol = request->symbol();
    if (!NormaliseSymbol(&symbol)) {
      return new Refusal(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                      "invalid symbol \"" + request->symbol() +
                                          "\": use 1 to 12 characters A-Z, 0-9 or '.'"));
    }
    return new Quotes(std::move(symbol), request->count(), request->interval_ms());
  }
};

// --- ReportService.report (client streaming) ---

// Folds each reading into a running summary (memory grows with the devices,
// not the readings), then answers once the client half-closes.
class Readings final : public grpc::ServerReadReactor<packages::Reading> {
 public:
  explicit Readings(packages::Summary* summary) : summary_(summary) { StartRead(&reading_); }

  void OnReadDone(bool ok) override {
    if (!ok) {  // half-closed (or cancelled: then nobody reads the answer)
      summary_->set_count(count_);
      if (count_ > 0) {
        summary_->set_min(min_);
        summary_->set_max(max_);
        summary_->set_mean(sum_ / static_cast<double>(count_));
      }
      for (const std::string& device : devices_) summary_->add_devices(device);
      Finish(grpc::Status::OK);
      return;
    }
    uint64_t position = count_ + 1;
    if (reading_.device().empty()) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "reading " + std::to_string(position) + ": device is empty"));
      return;
    }
    double value = reading_.value();
    if (!std::isfinite(value)) {
      std::ostringstream message;
      message << "reading " << position << ": value " << value << " is not a finite number";
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message.str()));
      return;
    }
    if (count_ == 0) {
      min_ = max_ = value;
    } else {
      min_ = std::min(min_, value);
      max_ = std::max(max_, value);
    }
    count_ = position;
    sum_ += value;
    if (devices_.find(reading_.device()) == devices_.end()) devices_.insert(reading_.device());
    StartRead(&reading_);
  }

  void OnDone() override { delete this; }

 private:
  packages::Reading reading_;
  packages::Summary* summary_;
  uint64_t count_ = 0;
  double min_ = 0, max_ = 0, sum_ = 0;
  std::set<std::string> devices_;
};

class Reporter final : public packages::ReportService::CallbackService {
  grpc::ServerReadReactor<packages::Reading>* report(grpc::CallbackServerContext*,
                                                     packages::Summary* summary) override {
    return new Readings(summary);
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string port = argc > 1 ? argv[1] : "0";
  Greeter greeter;
  Messenger messenger;
  Stocks stocks;
  Reporter reporter;
  int selected_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + port, grpc::InsecureServerCredentials(), &selected_port);
  builder.RegisterService(&greeter);
  builder.RegisterService(&messenger);
  builder.RegisterService(&stocks);
  builder.RegisterService(&reporter);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) return 1;
  std::printf("listening on 127.0.0.1:%d\n", selected_port);
  std::fflush(stdout);
  server->Wait();
  return 0;
}
