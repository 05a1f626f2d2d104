// The C++ peer for bench/compare.sh: GreetService and MessageService on gRPC
// C++'s callback API (Debian's libgrpc++), answering as grpc-demo does.
// usage: cpp-server [PORT]   (prints "listening on 127.0.0.1:PORT")
#include <cstdio>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "greet.grpc.pb.h"
#include "message.grpc.pb.h"

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

}  // namespace

int main(int argc, char** argv) {
  std::string port = argc > 1 ? argv[1] : "0";
  Greeter greeter;
  Messenger messenger;
  int selected_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + port, grpc::InsecureServerCredentials(), &selected_port);
  builder.RegisterService(&greeter);
  builder.RegisterService(&messenger);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) return 1;
  std::printf("listening on 127.0.0.1:%d\n", selected_port);
  std::fflush(stdout);
  server->Wait();
  return 0;
}
