//! GreetService: the tutorial's unary RPC.

use tonic::{Request, Response, Status};

use crate::proto::{greet_service_server::GreetService, HelloRequest, HelloResponse};

#[derive(Debug, Default, Clone)]
pub struct Greeter;

#[tonic::async_trait]
impl GreetService for Greeter {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloResponse>, Status> {
        let name = request.into_inner().name;
        Ok(Response::new(HelloResponse {
            msg: format!("hello, {name}"),
        }))
    }
}
