
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'grpc-demo' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'grpc-demo'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'grpc-demo' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve GreetService, MessageService, StockService, ReportService, health and reflection')
            [CompletionResult]::new('hello', 'hello', [CompletionResultType]::ParameterValue, 'Call GreetService.sayHello once and print the greeting')
            [CompletionResult]::new('stream', 'stream', [CompletionResultType]::ParameterValue, 'Run one MessageService.iter_message stream and print each response as it arrives')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Call StockService.watch and print each quote as it arrives (server streaming)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Stream readings to ReportService.report and print its summary (client streaming)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Call any method of any gRPC service, messages as proto3 JSON (like grpcurl)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the services of a schema, or the methods of one (like grpcurl list)')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Print a service, method, message or enum as .proto source (like grpcurl describe)')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check grpc.health.v1 (like grpc_health_probe): exit 0 SERVING, 1 otherwise')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load-test the server (like ghz): latency percentiles, RPCs/s, statuses')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'grpc-demo;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'TCP port to listen on; 0 picks a free one [env: GRPC_DEMO_PORT] [default: 50000]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind, or a name resolved to its first address (`localhost`). The default `::` is dual stack, falling back to 0.0.0.0 where IPv6 is unavailable')
            [CompletionResult]::new('--shutdown-timeout', '--shutdown-timeout', [CompletionResultType]::ParameterName, 'On SIGINT/SIGTERM, how long in-flight RPCs may run before they are cut')
            [CompletionResult]::new('--drain-delay', '--drain-delay', [CompletionResultType]::ParameterName, 'On SIGINT/SIGTERM, first report NOT_SERVING on health for this long while still serving new connections and RPCs, so that health-watching clients and balancers move away before the listener closes')
            [CompletionResult]::new('--uds', '--uds', [CompletionResultType]::ParameterName, 'Listen on a Unix domain socket at PATH instead of TCP (a stale socket file is replaced; any other file is left alone)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve TLS with this PEM certificate (chain)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The PEM private key of --tls-cert')
            [CompletionResult]::new('--tls-client-ca', '--tls-client-ca', [CompletionResultType]::ParameterName, 'Mutual TLS: require client certificates signed by this PEM CA')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Require `authorization: Bearer <token>` on the application services, the token being the first line of FILE. Health and reflection stay open')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'The token itself (prefer --token-file: a command line is visible to other users)')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message accepted or sent, each way (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--max-concurrent-streams', '--max-concurrent-streams', [CompletionResultType]::ParameterName, 'HTTP/2 concurrent streams allowed per connection')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Open connections at once; more are closed as they arrive')
            [CompletionResult]::new('--max-request-buffer', '--max-request-buffer', [CompletionResultType]::ParameterName, 'Bytes of request messages the server holds at once, over all connections (messages still arriving and open streams'' buffers); beyond it, streams get RESOURCE_EXHAUSTED. At least --max-message-size')
            [CompletionResult]::new('--max-response-buffer', '--max-response-buffer', [CompletionResultType]::ParameterName, 'Bytes of responses the server owes at once, over all connections (sent to HTTP/2, not yet taken by the client''s flow-control window); a quarter per client address. A client over it that owes a MiB or more gets RESOURCE_EXHAUSTED for new streams. At least --max-message-size')
            [CompletionResult]::new('--unread-response-timeout', '--unread-response-timeout', [CompletionResultType]::ParameterName, 'Close a connection that owes a MiB or more of responses and reads none of them for this long (a zero receive window)')
            [CompletionResult]::new('--max-connections-per-ip', '--max-connections-per-ip', [CompletionResultType]::ParameterName, 'Open connections per client address; more are closed as they arrive (one host cannot take every connection)')
            [CompletionResult]::new('--handshake-timeout', '--handshake-timeout', [CompletionResultType]::ParameterName, 'Close a connection that has not sent the HTTP/2 preface and its SETTINGS within this long (under TLS: that has not finished its TLS handshake within it, nor then sent the preface within it)')
            [CompletionResult]::new('--header-timeout', '--header-timeout', [CompletionResultType]::ParameterName, 'Close a connection that starts a HEADERS block (request headers) and does not finish it within this long')
            [CompletionResult]::new('--max-connection-idle', '--max-connection-idle', [CompletionResultType]::ParameterName, 'Send GOAWAY to a connection with no RPC in flight for this long, and close it (0s: never). When --max-connections is reached, the connection idle the longest is closed first to make room')
            [CompletionResult]::new('--keepalive-interval', '--keepalive-interval', [CompletionResultType]::ParameterName, 'Send HTTP/2 PINGs this often and drop a peer that does not answer [default: off; TCP keep-alive (60s) still drops dead hosts]')
            [CompletionResult]::new('--keepalive-timeout', '--keepalive-timeout', [CompletionResultType]::ParameterName, 'With --keepalive-interval: drop a connection whose PING goes unanswered this long')
            [CompletionResult]::new('--idle-stream-timeout', '--idle-stream-timeout', [CompletionResultType]::ParameterName, 'End a stream whose client sends nothing for this long (checked every quarter of it: ended after 1 to 1.25 times this)')
            [CompletionResult]::new('--max-connection-age', '--max-connection-age', [CompletionResultType]::ParameterName, 'Send each connection a GOAWAY after this long (± 10% jitter, drawn per process), so that long-lived clients reconnect and spread over replicas started since [default: never]')
            [CompletionResult]::new('--max-connection-age-grace', '--max-connection-age-grace', [CompletionResultType]::ParameterName, 'After --max-connection-age''s GOAWAY, how long RPCs in flight may still run before the connection is closed [default: until they end]')
            [CompletionResult]::new('--metrics-addr', '--metrics-addr', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics at http://ADDR/metrics, a listener of its own (e.g. 127.0.0.1:9464 or localhost:9464; port 0 takes a free one, logged) [default: off]')
            [CompletionResult]::new('--metrics-buckets', '--metrics-buckets', [CompletionResultType]::ParameterName, 'Upper bounds, in seconds, of the grpc_server_handling_seconds histogram''s buckets, comma-separated and increasing')
            [CompletionResult]::new('--otlp-endpoint', '--otlp-endpoint', [CompletionResultType]::ParameterName, 'Export one span per RPC over OTLP/gRPC to this collector, plaintext (e.g. http://127.0.0.1:4317); batched, never delaying an RPC [default: off]')
            [CompletionResult]::new('--register', '--register', [CompletionResultType]::ParameterName, 'Publish this replica in etcd once serving, as etcd''s gRPC naming does: key SERVICE/ADDR, value {"Addr":"ADDR","Metadata":null}, under a lease kept alive (e.g. etcd://127.0.0.1:2379/greeter). On SIGTERM the key is deleted first, before NOT_SERVING and GOAWAY [default: off]')
            [CompletionResult]::new('--register-ttl', '--register-ttl', [CompletionResultType]::ParameterName, 'With --register: the lease''s time to live; a replica that dies without draining leaves the registry after this long (whole seconds, at least 1s)')
            [CompletionResult]::new('--advertise-addr', '--advertise-addr', [CompletionResultType]::ParameterName, 'With --register: the HOST:PORT callers dial [default: the bound address; required when binding a wildcard address such as ::]')
            [CompletionResult]::new('--access-log', '--access-log', [CompletionResultType]::ParameterName, 'Where the access log (one line per RPC) goes: stderr, off, or a FILE, appended to and reopened on SIGHUP (for logrotate)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines as text, or as JSON objects (one a line, the same fields), for log shippers; the access log too')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Runtime worker threads [default: the number of cores]')
            [CompletionResult]::new('--web-origin', '--web-origin', [CompletionResultType]::ParameterName, 'With --web, let pages from ORIGIN (e.g. http://localhost:8080) call the server (CORS); repeatable. Default: only the page served here')
            [CompletionResult]::new('--no-reflection', '--no-reflection', [CompletionResultType]::ParameterName, 'Do not serve the gRPC reflection services')
            [CompletionResult]::new('--reuse-port', '--reuse-port', [CompletionResultType]::ParameterName, 'SO_REUSEPORT: let several `serve` processes listen on the same port; the kernel spreads new connections over them')
            [CompletionResult]::new('--web', '--web', [CompletionResultType]::ParameterName, 'Also serve gRPC-Web (over HTTP/1.1 as well as HTTP/2) on the same port, and a page at / that calls sayHello and watch from the browser')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;hello' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The name to greet')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The request as proto3 JSON (grpcurl''s -d): ''{"name":"x"}'', @FILE, or @- for stdin. Instead of --name')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The request as proto3 JSON (grpcurl''s -d): ''{"name":"x"}'', @FILE, or @- for stdin. Instead of --name')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'text: the greeting alone; json: the response as one line of proto3 JSON (errors on stderr in the same format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'text: the greeting alone; json: the response as one line of proto3 JSON (errors on stderr in the same format)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;stream' {
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Number of messages: START, PROGRESS…, END (at least 2)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Role of every generated message (any case)')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The data field of every generated message')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Pause between two sends')
            [CompletionResult]::new('--script', '--script', [CompletionResultType]::ParameterName, 'Send the MessageRequests in FILE instead (one proto3-JSON object per line, blank lines skipped). A FILE is checked whole before anything is sent; `-` reads stdin and sends each line as it is read')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'text: CODE<TAB>MESSAGE per response; json: one line of proto3 JSON per response (NDJSON; errors on stderr in the same format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'text: CODE<TAB>MESSAGE per response; json: one line of proto3 JSON per response (NDJSON; errors on stderr in the same format)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole stream, connection included (e.g. 30s); 0s: none')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;watch' {
            [CompletionResult]::new('--symbol', '--symbol', [CompletionResultType]::ParameterName, 'The stock symbol: 1 to 12 characters A-Z, 0-9 or ''.'' (upper-cased)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many quotes; 0 watches until Ctrl-C')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between two quotes (whole milliseconds; 0s: as fast as the server can send)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The request as proto3 JSON (grpcurl''s -d): ''{"symbol":"AAPL","count":5,"intervalMs":200}'', @FILE, or @- for stdin. Instead of --symbol, --count and --interval; a field left out is 0 (count: until Ctrl-C; intervalMs: as fast as the server can send)')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The request as proto3 JSON (grpcurl''s -d): ''{"symbol":"AAPL","count":5,"intervalMs":200}'', @FILE, or @- for stdin. Instead of --symbol, --count and --interval; a field left out is 0 (count: until Ctrl-C; intervalMs: as fast as the server can send)')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout (and of the error line on stderr)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout (and of the error line on stderr)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole stream, connection included (e.g. 30s); 0s: none')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;report' {
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'The device name of the synthetic readings')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many synthetic readings to send')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Pause between two sends')
            [CompletionResult]::new('--readings', '--readings', [CompletionResultType]::ParameterName, 'Send the Readings in FILE instead, as they are read (one proto3-JSON object per line, blank lines skipped; `-` reads stdin)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The readings as proto3 JSON (grpcurl''s -d for a client stream): one Reading per line, ''{"device":"a","value":1}'', @FILE, or @- for stdin (as --readings). Instead of --device, --count and --readings')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The readings as proto3 JSON (grpcurl''s -d for a client stream): one Reading per line, ''{"device":"a","value":1}'', @FILE, or @- for stdin (as --readings). Instead of --device, --count and --readings')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout (and of the error line on stderr)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout (and of the error line on stderr)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole stream, connection included (e.g. 30s); 0s: none')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;call' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The request message(s) as proto3 JSON: inline, @FILE, or @- for stdin. Client and bidi streams take any number of messages (concatenated or one per line); with @- each is sent as soon as it is read. Without -d a unary call sends an empty message')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The request message(s) as proto3 JSON: inline, @FILE, or @- for stdin. Client and bidi streams take any number of messages (concatenated or one per line); with @- each is sent as soon as it is read. Without -d a unary call sends an empty message')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Compile these .proto files (repeatable); google/protobuf''s well-known imports need no -I')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Import path for --proto (repeatable) [default: each file''s folder]')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'Import path for --proto (repeatable) [default: each file''s folder]')
            [CompletionResult]::new('--protoset', '--protoset', [CompletionResultType]::ParameterName, 'Read the schema from these FileDescriptorSets (`protoc --descriptor_set_out --include_imports`), repeatable')
            [CompletionResult]::new('--reflect-header', '--reflect-header', [CompletionResultType]::ParameterName, 'Metadata for the reflection calls instead of the call''s own -H headers, as ''key: value''; repeatable (--token still goes on both)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'text: each response as indented proto3 JSON; json: each response as one line of proto3 JSON (errors on stderr in the same format)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'text: each response as indented proto3 JSON; json: each response as one line of proto3 JSON (errors on stderr in the same format)')
            [CompletionResult]::new('--emit-defaults', '--emit-defaults', [CompletionResultType]::ParameterName, 'Print fields at their default value too (0, "", false, empty lists)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;list' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout (and of the error line on stderr)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout (and of the error line on stderr)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Compile these .proto files (repeatable); google/protobuf''s well-known imports need no -I')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Import path for --proto (repeatable) [default: each file''s folder]')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'Import path for --proto (repeatable) [default: each file''s folder]')
            [CompletionResult]::new('--protoset', '--protoset', [CompletionResultType]::ParameterName, 'Read the schema from these FileDescriptorSets (`protoc --descriptor_set_out --include_imports`), repeatable')
            [CompletionResult]::new('--reflect-header', '--reflect-header', [CompletionResultType]::ParameterName, 'Metadata for the reflection calls instead of the call''s own -H headers, as ''key: value''; repeatable (--token still goes on both)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;describe' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout (and of the error line on stderr)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout (and of the error line on stderr)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Compile these .proto files (repeatable); google/protobuf''s well-known imports need no -I')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Import path for --proto (repeatable) [default: each file''s folder]')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'Import path for --proto (repeatable) [default: each file''s folder]')
            [CompletionResult]::new('--protoset', '--protoset', [CompletionResultType]::ParameterName, 'Read the schema from these FileDescriptorSets (`protoc --descriptor_set_out --include_imports`), repeatable')
            [CompletionResult]::new('--reflect-header', '--reflect-header', [CompletionResultType]::ParameterName, 'Metadata for the reflection calls instead of the call''s own -H headers, as ''key: value''; repeatable (--token still goes on both)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;health' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The service to ask about [default: the server as a whole]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout (and of the error line on stderr)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout (and of the error line on stderr)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Follow Health/Watch and print each status as it changes (until the server ends the stream, Ctrl-C, or --timeout if given)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;bench' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'HTTP/2 connections; the in-flight work is spread evenly over them')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('--total', '--total', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Run this long first without counting')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell')
            [CompletionResult]::new('--payload-size', '--payload-size', [CompletionResultType]::ParameterName, 'Size in bytes of the name (hello), data (stream) or device (report) field')
            [CompletionResult]::new('--max-error-rate', '--max-error-rate', [CompletionResultType]::ParameterName, 'Exit 1 when more than this share (0 to 1) of the RPCs failed')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'The server''s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report')
            [CompletionResult]::new('--sweep', '--sweep', [CompletionResultType]::ParameterName, 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024. Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'Steps of a --sweep range')
            [CompletionResult]::new('--steps-scale', '--steps-scale', [CompletionResultType]::ParameterName, 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)')
            [CompletionResult]::new('--stop-at', '--stop-at', [CompletionResultType]::ParameterName, 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it')
            [CompletionResult]::new('--plot', '--plot', [CompletionResultType]::ParameterName, 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency. Written at the end, also after Ctrl-C')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--count-errors', '--count-errors', [CompletionResultType]::ParameterName, 'Put failed RPCs in the latency histogram too (as ghz''s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('hello', 'hello', [CompletionResultType]::ParameterValue, 'Unary: GreetService.sayHello')
            [CompletionResult]::new('stream', 'stream', [CompletionResultType]::ParameterValue, 'Bidi: MessageService.iter_message, ping-pong, START…END per stream')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Server streaming: StockService.watch, quotes as fast as flow control allows (--messages quotes per stream)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Client streaming: ReportService.report, readings as fast as flow control allows (--messages readings per stream)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Any method of any service (like ghz --call): unary, or one stream per RPC sending DATA''s messages; the schema as for `grpc-demo call`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'grpc-demo;bench;hello' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'HTTP/2 connections; the in-flight work is spread evenly over them')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('--total', '--total', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Run this long first without counting')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell')
            [CompletionResult]::new('--payload-size', '--payload-size', [CompletionResultType]::ParameterName, 'Size in bytes of the name (hello), data (stream) or device (report) field')
            [CompletionResult]::new('--max-error-rate', '--max-error-rate', [CompletionResultType]::ParameterName, 'Exit 1 when more than this share (0 to 1) of the RPCs failed')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'The server''s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report')
            [CompletionResult]::new('--sweep', '--sweep', [CompletionResultType]::ParameterName, 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024. Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'Steps of a --sweep range')
            [CompletionResult]::new('--steps-scale', '--steps-scale', [CompletionResultType]::ParameterName, 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)')
            [CompletionResult]::new('--stop-at', '--stop-at', [CompletionResultType]::ParameterName, 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it')
            [CompletionResult]::new('--plot', '--plot', [CompletionResultType]::ParameterName, 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency. Written at the end, also after Ctrl-C')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--count-errors', '--count-errors', [CompletionResultType]::ParameterName, 'Put failed RPCs in the latency histogram too (as ghz''s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;bench;stream' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'HTTP/2 connections; the in-flight work is spread evenly over them')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('--total', '--total', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Run this long first without counting')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell')
            [CompletionResult]::new('--payload-size', '--payload-size', [CompletionResultType]::ParameterName, 'Size in bytes of the name (hello), data (stream) or device (report) field')
            [CompletionResult]::new('--max-error-rate', '--max-error-rate', [CompletionResultType]::ParameterName, 'Exit 1 when more than this share (0 to 1) of the RPCs failed')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'The server''s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report')
            [CompletionResult]::new('--sweep', '--sweep', [CompletionResultType]::ParameterName, 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024. Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'Steps of a --sweep range')
            [CompletionResult]::new('--steps-scale', '--steps-scale', [CompletionResultType]::ParameterName, 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)')
            [CompletionResult]::new('--stop-at', '--stop-at', [CompletionResultType]::ParameterName, 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it')
            [CompletionResult]::new('--plot', '--plot', [CompletionResultType]::ParameterName, 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency. Written at the end, also after Ctrl-C')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--count-errors', '--count-errors', [CompletionResultType]::ParameterName, 'Put failed RPCs in the latency histogram too (as ghz''s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;bench;watch' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'HTTP/2 connections; the in-flight work is spread evenly over them')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('--total', '--total', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Run this long first without counting')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell')
            [CompletionResult]::new('--payload-size', '--payload-size', [CompletionResultType]::ParameterName, 'Size in bytes of the name (hello), data (stream) or device (report) field')
            [CompletionResult]::new('--max-error-rate', '--max-error-rate', [CompletionResultType]::ParameterName, 'Exit 1 when more than this share (0 to 1) of the RPCs failed')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'The server''s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report')
            [CompletionResult]::new('--sweep', '--sweep', [CompletionResultType]::ParameterName, 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024. Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'Steps of a --sweep range')
            [CompletionResult]::new('--steps-scale', '--steps-scale', [CompletionResultType]::ParameterName, 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)')
            [CompletionResult]::new('--stop-at', '--stop-at', [CompletionResultType]::ParameterName, 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it')
            [CompletionResult]::new('--plot', '--plot', [CompletionResultType]::ParameterName, 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency. Written at the end, also after Ctrl-C')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--count-errors', '--count-errors', [CompletionResultType]::ParameterName, 'Put failed RPCs in the latency histogram too (as ghz''s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;bench;report' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'HTTP/2 connections; the in-flight work is spread evenly over them')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('--total', '--total', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Run this long first without counting')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell')
            [CompletionResult]::new('--payload-size', '--payload-size', [CompletionResultType]::ParameterName, 'Size in bytes of the name (hello), data (stream) or device (report) field')
            [CompletionResult]::new('--max-error-rate', '--max-error-rate', [CompletionResultType]::ParameterName, 'Exit 1 when more than this share (0 to 1) of the RPCs failed')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'The server''s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report')
            [CompletionResult]::new('--sweep', '--sweep', [CompletionResultType]::ParameterName, 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024. Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'Steps of a --sweep range')
            [CompletionResult]::new('--steps-scale', '--steps-scale', [CompletionResultType]::ParameterName, 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)')
            [CompletionResult]::new('--stop-at', '--stop-at', [CompletionResultType]::ParameterName, 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it')
            [CompletionResult]::new('--plot', '--plot', [CompletionResultType]::ParameterName, 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency. Written at the end, also after Ctrl-C')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--count-errors', '--count-errors', [CompletionResultType]::ParameterName, 'Put failed RPCs in the latency histogram too (as ghz''s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;bench;call' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The request message(s) as proto3 JSON: inline, @FILE or @- (read whole before the run). A stream sends them all on every RPC')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The request message(s) as proto3 JSON: inline, @FILE or @- (read whole before the run). A stream sends them all on every RPC')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Compile these .proto files (repeatable); google/protobuf''s well-known imports need no -I')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Import path for --proto (repeatable) [default: each file''s folder]')
            [CompletionResult]::new('--import-path', '--import-path', [CompletionResultType]::ParameterName, 'Import path for --proto (repeatable) [default: each file''s folder]')
            [CompletionResult]::new('--protoset', '--protoset', [CompletionResultType]::ParameterName, 'Read the schema from these FileDescriptorSets (`protoc --descriptor_set_out --include_imports`), repeatable')
            [CompletionResult]::new('--reflect-header', '--reflect-header', [CompletionResultType]::ParameterName, 'Metadata for the reflection calls instead of the call''s own -H headers, as ''key: value''; repeatable (--token still goes on both)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'RPCs (streams) in flight at once')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'HTTP/2 connections; the in-flight work is spread evenly over them')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('--total', '--total', [CompletionResultType]::ParameterName, 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Run this long first without counting')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell')
            [CompletionResult]::new('--payload-size', '--payload-size', [CompletionResultType]::ParameterName, 'Size in bytes of the name (hello), data (stream) or device (report) field')
            [CompletionResult]::new('--max-error-rate', '--max-error-rate', [CompletionResultType]::ParameterName, 'Exit 1 when more than this share (0 to 1) of the RPCs failed')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'The server''s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report')
            [CompletionResult]::new('--sweep', '--sweep', [CompletionResultType]::ParameterName, 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024. Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'Steps of a --sweep range')
            [CompletionResult]::new('--steps-scale', '--steps-scale', [CompletionResultType]::ParameterName, 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)')
            [CompletionResult]::new('--stop-at', '--stop-at', [CompletionResultType]::ParameterName, 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it')
            [CompletionResult]::new('--plot', '--plot', [CompletionResultType]::ParameterName, 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency. Written at the end, also after Ctrl-C')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]')
            [CompletionResult]::new('--health-check', '--health-check', [CompletionResultType]::ParameterName, 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call''s streaming methods and health --watch]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'How long connecting may take: TCP, TLS and the server''s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Request metadata as ''key: value''; repeatable')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress requests with this encoding; compressed responses are always accepted')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token sent as `authorization: Bearer TOKEN`')
            [CompletionResult]::new('--max-message-size', '--max-message-size', [CompletionResultType]::ParameterName, 'Largest message sent or accepted (e.g. 4MiB, 100MiB)')
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Trust this PEM CA for an https:// address instead of the public roots')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Present this PEM client certificate (mutual TLS)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The PEM private key of --cert')
            [CompletionResult]::new('--server-name', '--server-name', [CompletionResultType]::ParameterName, 'Check the server certificate against NAME instead of the address''s host')
            [CompletionResult]::new('--authority', '--authority', [CompletionResultType]::ParameterName, 'Send NAME as :authority instead of the address''s host:port; over TLS also the name checked in the certificate (unless --server-name)')
            [CompletionResult]::new('--messages', '--messages', [CompletionResultType]::ParameterName, 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]')
            [CompletionResult]::new('--hold', '--hold', [CompletionResultType]::ParameterName, 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)')
            [CompletionResult]::new('--count-errors', '--count-errors', [CompletionResultType]::ParameterName, 'Put failed RPCs in the latency histogram too (as ghz''s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;bench;help' {
            [CompletionResult]::new('hello', 'hello', [CompletionResultType]::ParameterValue, 'Unary: GreetService.sayHello')
            [CompletionResult]::new('stream', 'stream', [CompletionResultType]::ParameterValue, 'Bidi: MessageService.iter_message, ping-pong, START…END per stream')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Server streaming: StockService.watch, quotes as fast as flow control allows (--messages quotes per stream)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Client streaming: ReportService.report, readings as fast as flow control allows (--messages readings per stream)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Any method of any service (like ghz --call): unary, or one stream per RPC sending DATA''s messages; the schema as for `grpc-demo call`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'grpc-demo;bench;help;hello' {
            break
        }
        'grpc-demo;bench;help;stream' {
            break
        }
        'grpc-demo;bench;help;watch' {
            break
        }
        'grpc-demo;bench;help;report' {
            break
        }
        'grpc-demo;bench;help;call' {
            break
        }
        'grpc-demo;bench;help;help' {
            break
        }
        'grpc-demo;completions' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'grpc-demo;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve GreetService, MessageService, StockService, ReportService, health and reflection')
            [CompletionResult]::new('hello', 'hello', [CompletionResultType]::ParameterValue, 'Call GreetService.sayHello once and print the greeting')
            [CompletionResult]::new('stream', 'stream', [CompletionResultType]::ParameterValue, 'Run one MessageService.iter_message stream and print each response as it arrives')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Call StockService.watch and print each quote as it arrives (server streaming)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Stream readings to ReportService.report and print its summary (client streaming)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Call any method of any gRPC service, messages as proto3 JSON (like grpcurl)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the services of a schema, or the methods of one (like grpcurl list)')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Print a service, method, message or enum as .proto source (like grpcurl describe)')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check grpc.health.v1 (like grpc_health_probe): exit 0 SERVING, 1 otherwise')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load-test the server (like ghz): latency percentiles, RPCs/s, statuses')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'grpc-demo;help;serve' {
            break
        }
        'grpc-demo;help;hello' {
            break
        }
        'grpc-demo;help;stream' {
            break
        }
        'grpc-demo;help;watch' {
            break
        }
        'grpc-demo;help;report' {
            break
        }
        'grpc-demo;help;call' {
            break
        }
        'grpc-demo;help;list' {
            break
        }
        'grpc-demo;help;describe' {
            break
        }
        'grpc-demo;help;health' {
            break
        }
        'grpc-demo;help;bench' {
            [CompletionResult]::new('hello', 'hello', [CompletionResultType]::ParameterValue, 'Unary: GreetService.sayHello')
            [CompletionResult]::new('stream', 'stream', [CompletionResultType]::ParameterValue, 'Bidi: MessageService.iter_message, ping-pong, START…END per stream')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Server streaming: StockService.watch, quotes as fast as flow control allows (--messages quotes per stream)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Client streaming: ReportService.report, readings as fast as flow control allows (--messages readings per stream)')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Any method of any service (like ghz --call): unary, or one stream per RPC sending DATA''s messages; the schema as for `grpc-demo call`')
            break
        }
        'grpc-demo;help;bench;hello' {
            break
        }
        'grpc-demo;help;bench;stream' {
            break
        }
        'grpc-demo;help;bench;watch' {
            break
        }
        'grpc-demo;help;bench;report' {
            break
        }
        'grpc-demo;help;bench;call' {
            break
        }
        'grpc-demo;help;completions' {
            break
        }
        'grpc-demo;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
