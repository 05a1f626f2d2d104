# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_grpc_demo_global_optspecs
    string join \n v/verbose h/help V/version
end

function __fish_grpc_demo_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_grpc_demo_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_grpc_demo_using_subcommand
    set -l cmd (__fish_grpc_demo_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -s h -l help -d 'Print help'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "serve" -d 'Serve GreetService, MessageService, StockService, ReportService, health and reflection'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "hello" -d 'Call GreetService.sayHello once and print the greeting'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "stream" -d 'Run one MessageService.iter_message stream and print each response as it arrives'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "watch" -d 'Call StockService.watch and print each quote as it arrives (server streaming)'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "report" -d 'Stream readings to ReportService.report and print its summary (client streaming)'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "call" -d 'Call any method of any gRPC service, messages as proto3 JSON (like grpcurl)'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "list" -d 'List the services of a schema, or the methods of one (like grpcurl list)'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "describe" -d 'Print a service, method, message or enum as .proto source (like grpcurl describe)'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "health" -d 'Check grpc.health.v1 (like grpc_health_probe): exit 0 SERVING, 1 otherwise'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "bench" -d 'Load-test the server (like ghz): latency percentiles, RPCs/s, statuses'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c grpc-demo -n "__fish_grpc_demo_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l port -d 'TCP port to listen on; 0 picks a free one [env: GRPC_DEMO_PORT] [default: 50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l host -d 'Address to bind, or a name resolved to its first address (`localhost`). The default `::` is dual stack, falling back to 0.0.0.0 where IPv6 is unavailable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l shutdown-timeout -d 'On SIGINT/SIGTERM, how long in-flight RPCs may run before they are cut' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l drain-delay -d 'On SIGINT/SIGTERM, first report NOT_SERVING on health for this long while still serving new connections and RPCs, so that health-watching clients and balancers move away before the listener closes' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l uds -d 'Listen on a Unix domain socket at PATH instead of TCP (a stale socket file is replaced; any other file is left alone)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l tls-cert -d 'Serve TLS with this PEM certificate (chain)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l tls-key -d 'The PEM private key of --tls-cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l tls-client-ca -d 'Mutual TLS: require client certificates signed by this PEM CA' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l token-file -d 'Require `authorization: Bearer <token>` on the application services, the token being the first line of FILE. Health and reflection stay open' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l token -d 'The token itself (prefer --token-file: a command line is visible to other users)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l max-message-size -d 'Largest message accepted or sent, each way (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l max-concurrent-streams -d 'HTTP/2 concurrent streams allowed per connection' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l max-connections -d 'Open connections at once; more are closed as they arrive' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l max-request-buffer -d 'Bytes of request messages the server holds at once, over all connections (messages still arriving and open streams\' buffers); beyond it, streams get RESOURCE_EXHAUSTED. At least --max-message-size' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l max-response-buffer -d 'Bytes of responses the server owes at once, over all connections (sent to HTTP/2, not yet taken by the client\'s flow-control window); a quarter per client address. A client over it that owes a MiB or more gets RESOURCE_EXHAUSTED for new streams. At least --max-message-size' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l unread-response-timeout -d 'Close a connection that owes a MiB or more of responses and reads none of them for this long (a zero receive window)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l max-connections-per-ip -d 'Open connections per client address; more are closed as they arrive (one host cannot take every connection)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l handshake-timeout -d 'Close a connection that has not sent the HTTP/2 preface and its SETTINGS within this long (under TLS: that has not finished its TLS handshake within it, nor then sent the preface within it)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l header-timeout -d 'Close a connection that starts a HEADERS block (request headers) and does not finish it within this long' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l max-connection-idle -d 'Send GOAWAY to a connection with no RPC in flight for this long, and close it (0s: never). When --max-connections is reached, the connection idle the longest is closed first to make room' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l keepalive-interval -d 'Send HTTP/2 PINGs this often and drop a peer that does not answer [default: off; TCP keep-alive (60s) still drops dead hosts]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l keepalive-timeout -d 'With --keepalive-interval: drop a connection whose PING goes unanswered this long' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l idle-stream-timeout -d 'End a stream whose client sends nothing for this long (checked every quarter of it: ended after 1 to 1.25 times this)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l max-connection-age -d 'Send each connection a GOAWAY after this long (± 10% jitter, drawn per process), so that long-lived clients reconnect and spread over replicas started since [default: never]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l max-connection-age-grace -d 'After --max-connection-age\'s GOAWAY, how long RPCs in flight may still run before the connection is closed [default: until they end]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l metrics-addr -d 'Serve Prometheus metrics at http://ADDR/metrics, a listener of its own (e.g. 127.0.0.1:9464 or localhost:9464; port 0 takes a free one, logged) [default: off]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l metrics-buckets -d 'Upper bounds, in seconds, of the grpc_server_handling_seconds histogram\'s buckets, comma-separated and increasing' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l otlp-endpoint -d 'Export one span per RPC over OTLP/gRPC to this collector, plaintext (e.g. http://127.0.0.1:4317); batched, never delaying an RPC [default: off]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l register -d 'Publish this replica in etcd once serving, as etcd\'s gRPC naming does: key SERVICE/ADDR, value {"Addr":"ADDR","Metadata":null}, under a lease kept alive (e.g. etcd://127.0.0.1:2379/greeter). On SIGTERM the key is deleted first, before NOT_SERVING and GOAWAY [default: off]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l register-ttl -d 'With --register: the lease\'s time to live; a replica that dies without draining leaves the registry after this long (whole seconds, at least 1s)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l advertise-addr -d 'With --register: the HOST:PORT callers dial [default: the bound address; required when binding a wildcard address such as ::]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l access-log -d 'Where the access log (one line per RPC) goes: stderr, off, or a FILE, appended to and reopened on SIGHUP (for logrotate)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l log-format -d 'Log lines as text, or as JSON objects (one a line, the same fields), for log shippers; the access log too' -r -f -a "text\t'`2026-11-25T12:00:25.850760Z  INFO rpc method=… peer=…`'
json\t'One JSON object per line, the same fields, for log shippers'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l workers -d 'Runtime worker threads [default: the number of cores]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l web-origin -d 'With --web, let pages from ORIGIN (e.g. http://localhost:8080) call the server (CORS); repeatable. Default: only the page served here' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l no-reflection -d 'Do not serve the gRPC reflection services'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l reuse-port -d 'SO_REUSEPORT: let several `serve` processes listen on the same port; the kernel spreads new connections over them'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -l web -d 'Also serve gRPC-Web (over HTTP/1.1 as well as HTTP/2) on the same port, and a page at / that calls sayHello and watch from the browser'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand serve" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l name -d 'The name to greet' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -s d -l data -d 'The request as proto3 JSON (grpcurl\'s -d): \'{"name":"x"}\', @FILE, or @- for stdin. Instead of --name' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l timeout -d 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call\'s streaming methods and health --watch]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -s o -l output -d 'text: the greeting alone; json: the response as one line of proto3 JSON (errors on stderr in the same format)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand hello" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l count -d 'Number of messages: START, PROGRESS…, END (at least 2)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l role -d 'Role of every generated message (any case)' -r -f -a "customer\t''
agent\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l data -d 'The data field of every generated message' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l interval -d 'Pause between two sends' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l script -d 'Send the MessageRequests in FILE instead (one proto3-JSON object per line, blank lines skipped). A FILE is checked whole before anything is sent; `-` reads stdin and sends each line as it is read' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -s o -l output -d 'text: CODE<TAB>MESSAGE per response; json: one line of proto3 JSON per response (NDJSON; errors on stderr in the same format)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l timeout -d 'Deadline for the whole stream, connection included (e.g. 30s); 0s: none' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand stream" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l symbol -d 'The stock symbol: 1 to 12 characters A-Z, 0-9 or \'.\' (upper-cased)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l count -d 'How many quotes; 0 watches until Ctrl-C' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l interval -d 'Time between two quotes (whole milliseconds; 0s: as fast as the server can send)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -s d -l data -d 'The request as proto3 JSON (grpcurl\'s -d): \'{"symbol":"AAPL","count":5,"intervalMs":200}\', @FILE, or @- for stdin. Instead of --symbol, --count and --interval; a field left out is 0 (count: until Ctrl-C; intervalMs: as fast as the server can send)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -s o -l output -d 'Output format on stdout (and of the error line on stderr)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l timeout -d 'Deadline for the whole stream, connection included (e.g. 30s); 0s: none' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand watch" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l device -d 'The device name of the synthetic readings' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l count -d 'How many synthetic readings to send' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l interval -d 'Pause between two sends' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l readings -d 'Send the Readings in FILE instead, as they are read (one proto3-JSON object per line, blank lines skipped; `-` reads stdin)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -s d -l data -d 'The readings as proto3 JSON (grpcurl\'s -d for a client stream): one Reading per line, \'{"device":"a","value":1}\', @FILE, or @- for stdin (as --readings). Instead of --device, --count and --readings' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -s o -l output -d 'Output format on stdout (and of the error line on stderr)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l timeout -d 'Deadline for the whole stream, connection included (e.g. 30s); 0s: none' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand report" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -s d -l data -d 'The request message(s) as proto3 JSON: inline, @FILE, or @- for stdin. Client and bidi streams take any number of messages (concatenated or one per line); with @- each is sent as soon as it is read. Without -d a unary call sends an empty message' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l timeout -d 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call\'s streaming methods and health --watch]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l proto -d 'Compile these .proto files (repeatable); google/protobuf\'s well-known imports need no -I' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -s I -l import-path -d 'Import path for --proto (repeatable) [default: each file\'s folder]' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l protoset -d 'Read the schema from these FileDescriptorSets (`protoc --descriptor_set_out --include_imports`), repeatable' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l reflect-header -d 'Metadata for the reflection calls instead of the call\'s own -H headers, as \'key: value\'; repeatable (--token still goes on both)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -s o -l output -d 'text: each response as indented proto3 JSON; json: each response as one line of proto3 JSON (errors on stderr in the same format)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l emit-defaults -d 'Print fields at their default value too (0, "", false, empty lists)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand call" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l timeout -d 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call\'s streaming methods and health --watch]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -s o -l output -d 'Output format on stdout (and of the error line on stderr)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l proto -d 'Compile these .proto files (repeatable); google/protobuf\'s well-known imports need no -I' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -s I -l import-path -d 'Import path for --proto (repeatable) [default: each file\'s folder]' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l protoset -d 'Read the schema from these FileDescriptorSets (`protoc --descriptor_set_out --include_imports`), repeatable' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l reflect-header -d 'Metadata for the reflection calls instead of the call\'s own -H headers, as \'key: value\'; repeatable (--token still goes on both)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand list" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l timeout -d 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call\'s streaming methods and health --watch]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -s o -l output -d 'Output format on stdout (and of the error line on stderr)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l proto -d 'Compile these .proto files (repeatable); google/protobuf\'s well-known imports need no -I' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -s I -l import-path -d 'Import path for --proto (repeatable) [default: each file\'s folder]' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l protoset -d 'Read the schema from these FileDescriptorSets (`protoc --descriptor_set_out --include_imports`), repeatable' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l reflect-header -d 'Metadata for the reflection calls instead of the call\'s own -H headers, as \'key: value\'; repeatable (--token still goes on both)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand describe" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l service -d 'The service to ask about [default: the server as a whole]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l timeout -d 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s); 0s: none [default: 10s; none for call\'s streaming methods and health --watch]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -s o -l output -d 'Output format on stdout (and of the error line on stderr)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l watch -d 'Follow Health/Watch and print each status as it changes (until the server ends the stream, Ctrl-C, or --timeout if given)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand health" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -s c -l concurrency -d 'RPCs (streams) in flight at once' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l connections -d 'HTTP/2 connections; the in-flight work is spread evenly over them' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -s n -l total -d 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -s z -l duration -d 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l warmup -d 'Run this long first without counting' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l rate -d 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l payload-size -d 'Size in bytes of the name (hello), data (stream) or device (report) field' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l max-error-rate -d 'Exit 1 when more than this share (0 to 1) of the RPCs failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l metrics-url -d 'The server\'s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l sweep -d 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024; connections=1,4,16,64 (-c in flight spread over them; -c at least the most connections). Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l steps -d 'Steps of a --sweep range' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l steps-scale -d 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)' -r -f -a "linear\t'Equal differences: 1k..10k in 10 steps is 1k, 2k, … 10k'
log\t'Equal ratios: 1..1024 in 11 steps is 1, 2, 4, … 1024'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l stop-at -d 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l plot -d 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency or connections. Written at the end, also after Ctrl-C' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l plot-server -d 'The server\'s name in the plot\'s title (e.g. "tonic 0.14, one core") [default: its address]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l messages -d 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l hold -d 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l timeout -d 'Deadline of each RPC (e.g. 500ms, 2s); 0s: none; it also bounds the -z drain [default: 10s]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -s o -l output -d 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l count-errors -d 'Put failed RPCs in the latency histogram too (as ghz\'s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -f -a "hello" -d 'Unary: GreetService.sayHello'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -f -a "stream" -d 'Bidi: MessageService.iter_message, ping-pong, START…END per stream'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -f -a "watch" -d 'Server streaming: StockService.watch, quotes as fast as flow control allows (--messages quotes per stream)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -f -a "report" -d 'Client streaming: ReportService.report, readings as fast as flow control allows (--messages readings per stream)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -f -a "call" -d 'Any method of any service (like ghz --call): unary, or one stream per RPC sending DATA\'s messages; the schema as for `grpc-demo call`'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and not __fish_seen_subcommand_from hello stream watch report call help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -s c -l concurrency -d 'RPCs (streams) in flight at once' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l connections -d 'HTTP/2 connections; the in-flight work is spread evenly over them' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -s n -l total -d 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -s z -l duration -d 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l warmup -d 'Run this long first without counting' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l rate -d 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l payload-size -d 'Size in bytes of the name (hello), data (stream) or device (report) field' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l max-error-rate -d 'Exit 1 when more than this share (0 to 1) of the RPCs failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l metrics-url -d 'The server\'s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l sweep -d 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024; connections=1,4,16,64 (-c in flight spread over them; -c at least the most connections). Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l steps -d 'Steps of a --sweep range' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l steps-scale -d 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)' -r -f -a "linear\t'Equal differences: 1k..10k in 10 steps is 1k, 2k, … 10k'
log\t'Equal ratios: 1..1024 in 11 steps is 1, 2, 4, … 1024'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l stop-at -d 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l plot -d 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency or connections. Written at the end, also after Ctrl-C' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l plot-server -d 'The server\'s name in the plot\'s title (e.g. "tonic 0.14, one core") [default: its address]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l messages -d 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l hold -d 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l timeout -d 'Deadline of each RPC (e.g. 500ms, 2s); 0s: none; it also bounds the -z drain [default: 10s]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -s o -l output -d 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l count-errors -d 'Put failed RPCs in the latency histogram too (as ghz\'s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from hello" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -s c -l concurrency -d 'RPCs (streams) in flight at once' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l connections -d 'HTTP/2 connections; the in-flight work is spread evenly over them' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -s n -l total -d 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -s z -l duration -d 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l warmup -d 'Run this long first without counting' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l rate -d 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l payload-size -d 'Size in bytes of the name (hello), data (stream) or device (report) field' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l max-error-rate -d 'Exit 1 when more than this share (0 to 1) of the RPCs failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l metrics-url -d 'The server\'s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l sweep -d 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024; connections=1,4,16,64 (-c in flight spread over them; -c at least the most connections). Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l steps -d 'Steps of a --sweep range' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l steps-scale -d 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)' -r -f -a "linear\t'Equal differences: 1k..10k in 10 steps is 1k, 2k, … 10k'
log\t'Equal ratios: 1..1024 in 11 steps is 1, 2, 4, … 1024'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l stop-at -d 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l plot -d 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency or connections. Written at the end, also after Ctrl-C' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l plot-server -d 'The server\'s name in the plot\'s title (e.g. "tonic 0.14, one core") [default: its address]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l messages -d 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l hold -d 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l timeout -d 'Deadline of each RPC (e.g. 500ms, 2s); 0s: none; it also bounds the -z drain [default: 10s]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -s o -l output -d 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l count-errors -d 'Put failed RPCs in the latency histogram too (as ghz\'s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from stream" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -s c -l concurrency -d 'RPCs (streams) in flight at once' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l connections -d 'HTTP/2 connections; the in-flight work is spread evenly over them' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -s n -l total -d 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -s z -l duration -d 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l warmup -d 'Run this long first without counting' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l rate -d 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l payload-size -d 'Size in bytes of the name (hello), data (stream) or device (report) field' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l max-error-rate -d 'Exit 1 when more than this share (0 to 1) of the RPCs failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l metrics-url -d 'The server\'s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l sweep -d 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024; connections=1,4,16,64 (-c in flight spread over them; -c at least the most connections). Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l steps -d 'Steps of a --sweep range' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l steps-scale -d 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)' -r -f -a "linear\t'Equal differences: 1k..10k in 10 steps is 1k, 2k, … 10k'
log\t'Equal ratios: 1..1024 in 11 steps is 1, 2, 4, … 1024'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l stop-at -d 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l plot -d 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency or connections. Written at the end, also after Ctrl-C' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l plot-server -d 'The server\'s name in the plot\'s title (e.g. "tonic 0.14, one core") [default: its address]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l messages -d 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l hold -d 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l timeout -d 'Deadline of each RPC (e.g. 500ms, 2s); 0s: none; it also bounds the -z drain [default: 10s]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -s o -l output -d 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l count-errors -d 'Put failed RPCs in the latency histogram too (as ghz\'s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from watch" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -s c -l concurrency -d 'RPCs (streams) in flight at once' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l connections -d 'HTTP/2 connections; the in-flight work is spread evenly over them' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -s n -l total -d 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -s z -l duration -d 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l warmup -d 'Run this long first without counting' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l rate -d 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l payload-size -d 'Size in bytes of the name (hello), data (stream) or device (report) field' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l max-error-rate -d 'Exit 1 when more than this share (0 to 1) of the RPCs failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l metrics-url -d 'The server\'s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l sweep -d 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024; connections=1,4,16,64 (-c in flight spread over them; -c at least the most connections). Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l steps -d 'Steps of a --sweep range' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l steps-scale -d 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)' -r -f -a "linear\t'Equal differences: 1k..10k in 10 steps is 1k, 2k, … 10k'
log\t'Equal ratios: 1..1024 in 11 steps is 1, 2, 4, … 1024'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l stop-at -d 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l plot -d 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency or connections. Written at the end, also after Ctrl-C' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l plot-server -d 'The server\'s name in the plot\'s title (e.g. "tonic 0.14, one core") [default: its address]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l messages -d 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l hold -d 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l timeout -d 'Deadline of each RPC (e.g. 500ms, 2s); 0s: none; it also bounds the -z drain [default: 10s]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -s o -l output -d 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l count-errors -d 'Put failed RPCs in the latency histogram too (as ghz\'s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from report" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -s d -l data -d 'The request message(s) as proto3 JSON: inline, @FILE or @- (read whole before the run). A stream sends them all on every RPC' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l proto -d 'Compile these .proto files (repeatable); google/protobuf\'s well-known imports need no -I' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -s I -l import-path -d 'Import path for --proto (repeatable) [default: each file\'s folder]' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l protoset -d 'Read the schema from these FileDescriptorSets (`protoc --descriptor_set_out --include_imports`), repeatable' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l reflect-header -d 'Metadata for the reflection calls instead of the call\'s own -H headers, as \'key: value\'; repeatable (--token still goes on both)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -s c -l concurrency -d 'RPCs (streams) in flight at once' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l connections -d 'HTTP/2 connections; the in-flight work is spread evenly over them' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -s n -l total -d 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -s z -l duration -d 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l warmup -d 'Run this long first without counting' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l rate -d 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l payload-size -d 'Size in bytes of the name (hello), data (stream) or device (report) field' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l max-error-rate -d 'Exit 1 when more than this share (0 to 1) of the RPCs failed' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l metrics-url -d 'The server\'s Prometheus endpoint (e.g. http://127.0.0.1:9090/metrics, `serve --metrics-addr`): its counters for the benchmarked method, its CPU time and memory during the run go into the report' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l sweep -d 'Run once per value of a setting: rate=1k..100k (open loop; spread over --steps) or rate=1k,2k,5k; concurrency=1,4,16,64 or concurrency=1..1024; connections=1,4,16,64 (-c in flight spread over them; -c at least the most connections). Each step is a whole run (--warmup, then -z or -n); a row per step as it ends (text, -o json, -o csv)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l steps -d 'Steps of a --sweep range' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l steps-scale -d 'How a --sweep range is spread: linear (equal steps) or log (equal ratios, e.g. concurrency=1..1024)' -r -f -a "linear\t'Equal differences: 1k..10k in 10 steps is 1k, 2k, … 10k'
log\t'Equal ratios: 1..1024 in 11 steps is 1, 2, 4, … 1024'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l stop-at -d 'End the sweep after the first step where this holds: p50, p90, p99 or p99.9 above a duration (p99>50ms), or errors above a share (errors>1%). Repeatable; any one ends it' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l plot -d 'Draw the sweep as an SVG plot: latency percentiles against the rate achieved (rate sweeps), throughput and latency against concurrency or connections. Written at the end, also after Ctrl-C' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l plot-server -d 'The server\'s name in the plot\'s title (e.g. "tonic 0.14, one core") [default: its address]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l addr -d 'Server address: HOST:PORT, http://HOST:PORT, https://HOST[:PORT], unix:///PATH, dns:///HOST:PORT (every address HOST resolves to), or etcd://HOST:PORT/SERVICE (every replica registered under SERVICE/ in that etcd, watched: `serve --register`). Repeat it or give a comma list for several endpoints: RPCs are then balanced over those that are up [env: GRPC_DEMO_ADDR] [default: http://localhost:50000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l health-check -d 'Watch grpc.health.v1 on each endpoint and send nothing to one that is not SERVING [default: on with several endpoints or dns:///]' -r -f -a "true\t''
false\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l retries -d 'Send a unary RPC again (to any endpoint, after a backoff) when it failed UNAVAILABLE before a server processed it, up to N times [default: 0 with one endpoint, 2 with several]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l connect-timeout -d 'How long connecting may take: TCP, TLS and the server\'s first HTTP/2 bytes (a listener that accepts but never answers is UNAVAILABLE)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -s H -l header -d 'Request metadata as \'key: value\'; repeatable' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l compress -d 'Compress requests with this encoding; compressed responses are always accepted' -r -f -a "none\t''
gzip\t''
zstd\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l token -d 'Bearer token sent as `authorization: Bearer TOKEN`' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l max-message-size -d 'Largest message sent or accepted (e.g. 4MiB, 100MiB)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l ca -d 'Trust this PEM CA for an https:// address instead of the public roots' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l cert -d 'Present this PEM client certificate (mutual TLS)' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l key -d 'The PEM private key of --cert' -r -F
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l server-name -d 'Check the server certificate against NAME instead of the address\'s host' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l authority -d 'Send NAME as :authority instead of the address\'s host:port; over TLS also the name checked in the certificate (unless --server-name)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l messages -d 'Messages per stream: START…END for stream (at least 2) [default: 10], quotes for watch [default: 100], readings for report [default: 1000]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l hold -d 'bench stream only: keep each stream open and idle this long after START is answered (measures what many open streams cost the server)' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l timeout -d 'Deadline of each RPC (e.g. 500ms, 2s); 0s: none; it also bounds the -z drain [default: 10s]' -r
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -s o -l output -d 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)' -r -f -a "text\t'Plain text, for people and `cut`/`awk`'
json\t'Proto3 JSON, one line per response or report'
csv\t'CSV (bench --sweep only): a header line, then one line per step'"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l explain -d 'Show on stderr what goes over the connection, as it goes: HTTP/2 frames (→ sent, ← received) with their headers decoded, and each protobuf message\'s bytes annotated field by field. Over TLS, the decrypted bytes. text, or json: one object per line (docs/explain.md)' -r -f -a "text\t''
json\t''"
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l count-errors -d 'Put failed RPCs in the latency histogram too (as ghz\'s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -l insecure -d 'Do not check the server certificate at all (test servers with self-signed certificates). Warned on stderr'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from call" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "hello" -d 'Unary: GreetService.sayHello'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "stream" -d 'Bidi: MessageService.iter_message, ping-pong, START…END per stream'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "watch" -d 'Server streaming: StockService.watch, quotes as fast as flow control allows (--messages quotes per stream)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "report" -d 'Client streaming: ReportService.report, readings as fast as flow control allows (--messages readings per stream)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "call" -d 'Any method of any service (like ghz --call): unary, or one stream per RPC sending DATA\'s messages; the schema as for `grpc-demo call`'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand completions" -s v -l verbose -d 'More on stderr: clients show the request metadata, response headers and trailers (like grpcurl -v); the server logs more (-vv: debug). RUST_LOG, when set, wins'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand completions" -s h -l help -d 'Print help'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand completions" -s V -l version -d 'Print version'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "serve" -d 'Serve GreetService, MessageService, StockService, ReportService, health and reflection'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "hello" -d 'Call GreetService.sayHello once and print the greeting'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "stream" -d 'Run one MessageService.iter_message stream and print each response as it arrives'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "watch" -d 'Call StockService.watch and print each quote as it arrives (server streaming)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "report" -d 'Stream readings to ReportService.report and print its summary (client streaming)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "call" -d 'Call any method of any gRPC service, messages as proto3 JSON (like grpcurl)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "list" -d 'List the services of a schema, or the methods of one (like grpcurl list)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "describe" -d 'Print a service, method, message or enum as .proto source (like grpcurl describe)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "health" -d 'Check grpc.health.v1 (like grpc_health_probe): exit 0 SERVING, 1 otherwise'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "bench" -d 'Load-test the server (like ghz): latency percentiles, RPCs/s, statuses'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and not __fish_seen_subcommand_from serve hello stream watch report call list describe health bench completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "hello" -d 'Unary: GreetService.sayHello'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "stream" -d 'Bidi: MessageService.iter_message, ping-pong, START…END per stream'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "watch" -d 'Server streaming: StockService.watch, quotes as fast as flow control allows (--messages quotes per stream)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "report" -d 'Client streaming: ReportService.report, readings as fast as flow control allows (--messages readings per stream)'
complete -c grpc-demo -n "__fish_grpc_demo_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "call" -d 'Any method of any service (like ghz --call): unary, or one stream per RPC sending DATA\'s messages; the schema as for `grpc-demo call`'
