
use builtin;
use str;

set edit:completion:arg-completer[grpc-demo] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'grpc-demo'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'grpc-demo'= {
            cand -v 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand --verbose 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Serve GreetService, MessageService, health and reflection'
            cand hello 'Call GreetService.sayHello once and print the greeting'
            cand stream 'Run one MessageService.iter_message stream and print each response as it arrives'
            cand bench 'Load-test the server (like ghz): latency percentiles, RPCs/s, statuses'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'grpc-demo;serve'= {
            cand --port 'TCP port to listen on; 0 picks a free one'
            cand --host 'Address to bind. The default `::` is dual stack, falling back to 0.0.0.0 where IPv6 is unavailable'
            cand --shutdown-timeout 'On SIGINT/SIGTERM, how long in-flight RPCs may run before they are cut'
            cand --uds 'Listen on a Unix domain socket at PATH instead of TCP (a stale socket file is replaced; any other file is left alone)'
            cand --tls-cert 'Serve TLS with this PEM certificate (chain)'
            cand --tls-key 'The PEM private key of --tls-cert'
            cand --tls-client-ca 'Mutual TLS: require client certificates signed by this PEM CA'
            cand --token-file 'Require `authorization: Bearer <token>` on GreetService and MessageService, the token being the first line of FILE. Health and reflection stay open'
            cand --token 'The token itself (prefer --token-file: a command line is visible to other users)'
            cand --max-message-size 'Largest message accepted or sent, each way (e.g. 4MiB, 100MiB)'
            cand --max-concurrent-streams 'HTTP/2 concurrent streams allowed per connection'
            cand --max-connections 'Open connections at once; more are closed as they arrive'
            cand --keepalive-interval 'Send HTTP/2 PINGs this often and drop a peer that does not answer [default: off; TCP keep-alive (60s) still drops dead hosts]'
            cand --keepalive-timeout 'With --keepalive-interval: drop a connection whose PING goes unanswered this long'
            cand --idle-stream-timeout 'End a stream whose client sends nothing for this long'
            cand --workers 'Runtime worker threads [default: the number of cores]'
            cand --no-reflection 'Do not serve the gRPC reflection services'
            cand -v 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand --verbose 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'grpc-demo;hello'= {
            cand --name 'The name to greet'
            cand --addr 'Server address: http://HOST:PORT, https://HOST:PORT or HOST:PORT'
            cand --timeout 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s)'
            cand --connect-timeout 'How long to wait for the connection to be established'
            cand -H 'Request metadata as ''key: value''; repeatable'
            cand --header 'Request metadata as ''key: value''; repeatable'
            cand -o 'Output format on stdout (and of the error line on stderr)'
            cand --output 'Output format on stdout (and of the error line on stderr)'
            cand --compress 'Compress requests with this encoding; compressed responses are always accepted'
            cand --token 'Bearer token sent as `authorization: Bearer TOKEN`'
            cand --max-message-size 'Largest message sent or accepted (e.g. 4MiB, 100MiB)'
            cand --ca 'Trust this PEM CA for an https:// address instead of the public roots'
            cand --cert 'Present this PEM client certificate (mutual TLS)'
            cand --key 'The PEM private key of --cert'
            cand --server-name 'Check the server certificate against NAME instead of the address''s host'
            cand -v 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand --verbose 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'grpc-demo;stream'= {
            cand --count 'Number of messages: START, PROGRESS…, END (at least 2)'
            cand --role 'Role of every generated message'
            cand --data 'The data field of every generated message'
            cand --interval 'Pause between two sends'
            cand --script 'Send the MessageRequests in FILE instead (one proto3-JSON object per line, blank lines skipped; `-` reads stdin)'
            cand --addr 'Server address: http://HOST:PORT, https://HOST:PORT or HOST:PORT'
            cand --timeout 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s)'
            cand --connect-timeout 'How long to wait for the connection to be established'
            cand -H 'Request metadata as ''key: value''; repeatable'
            cand --header 'Request metadata as ''key: value''; repeatable'
            cand -o 'Output format on stdout (and of the error line on stderr)'
            cand --output 'Output format on stdout (and of the error line on stderr)'
            cand --compress 'Compress requests with this encoding; compressed responses are always accepted'
            cand --token 'Bearer token sent as `authorization: Bearer TOKEN`'
            cand --max-message-size 'Largest message sent or accepted (e.g. 4MiB, 100MiB)'
            cand --ca 'Trust this PEM CA for an https:// address instead of the public roots'
            cand --cert 'Present this PEM client certificate (mutual TLS)'
            cand --key 'The PEM private key of --cert'
            cand --server-name 'Check the server certificate against NAME instead of the address''s host'
            cand -v 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand --verbose 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'grpc-demo;bench'= {
            cand -c 'RPCs (streams) in flight at once'
            cand --concurrency 'RPCs (streams) in flight at once'
            cand --connections 'HTTP/2 connections; the in-flight work is spread evenly over them'
            cand -n 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]'
            cand --total 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]'
            cand -z 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed'
            cand --duration 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed'
            cand --warmup 'Run this long first without counting'
            cand --rate 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell'
            cand --payload-size 'Size in bytes of the name (hello) or data (stream) field'
            cand --max-error-rate 'Exit 1 when more than this share (0 to 1) of the RPCs failed'
            cand --addr 'Server address: http://HOST:PORT, https://HOST:PORT or HOST:PORT'
            cand --timeout 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s)'
            cand --connect-timeout 'How long to wait for the connection to be established'
            cand -H 'Request metadata as ''key: value''; repeatable'
            cand --header 'Request metadata as ''key: value''; repeatable'
            cand --compress 'Compress requests with this encoding; compressed responses are always accepted'
            cand --token 'Bearer token sent as `authorization: Bearer TOKEN`'
            cand --max-message-size 'Largest message sent or accepted (e.g. 4MiB, 100MiB)'
            cand --ca 'Trust this PEM CA for an https:// address instead of the public roots'
            cand --cert 'Present this PEM client certificate (mutual TLS)'
            cand --key 'The PEM private key of --cert'
            cand --server-name 'Check the server certificate against NAME instead of the address''s host'
            cand --messages 'Messages per stream, START…END (at least 2) [default: 10]'
            cand --hold 'Keep each stream open and idle this long after START is answered (measures what many open streams cost the server)'
            cand -o 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)'
            cand --output 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)'
            cand --count-errors 'Put failed RPCs in the latency histogram too (as ghz''s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message'
            cand -v 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand --verbose 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand hello 'Unary: GreetService.sayHello'
            cand stream 'Bidi: MessageService.iter_message, ping-pong, START…END per stream'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'grpc-demo;bench;hello'= {
            cand -c 'RPCs (streams) in flight at once'
            cand --concurrency 'RPCs (streams) in flight at once'
            cand --connections 'HTTP/2 connections; the in-flight work is spread evenly over them'
            cand -n 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]'
            cand --total 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]'
            cand -z 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed'
            cand --duration 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed'
            cand --warmup 'Run this long first without counting'
            cand --rate 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell'
            cand --payload-size 'Size in bytes of the name (hello) or data (stream) field'
            cand --max-error-rate 'Exit 1 when more than this share (0 to 1) of the RPCs failed'
            cand --addr 'Server address: http://HOST:PORT, https://HOST:PORT or HOST:PORT'
            cand --timeout 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s)'
            cand --connect-timeout 'How long to wait for the connection to be established'
            cand -H 'Request metadata as ''key: value''; repeatable'
            cand --header 'Request metadata as ''key: value''; repeatable'
            cand --compress 'Compress requests with this encoding; compressed responses are always accepted'
            cand --token 'Bearer token sent as `authorization: Bearer TOKEN`'
            cand --max-message-size 'Largest message sent or accepted (e.g. 4MiB, 100MiB)'
            cand --ca 'Trust this PEM CA for an https:// address instead of the public roots'
            cand --cert 'Present this PEM client certificate (mutual TLS)'
            cand --key 'The PEM private key of --cert'
            cand --server-name 'Check the server certificate against NAME instead of the address''s host'
            cand --messages 'Messages per stream, START…END (at least 2) [default: 10]'
            cand --hold 'Keep each stream open and idle this long after START is answered (measures what many open streams cost the server)'
            cand -o 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)'
            cand --output 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)'
            cand --count-errors 'Put failed RPCs in the latency histogram too (as ghz''s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message'
            cand -v 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand --verbose 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'grpc-demo;bench;stream'= {
            cand -c 'RPCs (streams) in flight at once'
            cand --concurrency 'RPCs (streams) in flight at once'
            cand --connections 'HTTP/2 connections; the in-flight work is spread evenly over them'
            cand -n 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]'
            cand --total 'Stop after N RPCs (streams) [default: 1000 unless --duration is given]'
            cand -z 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed'
            cand --duration 'Stop after this long (e.g. 10s), sharp: RPCs still in flight then are cancelled and reported apart, neither OK nor failed'
            cand --warmup 'Run this long first without counting'
            cand --rate 'Open loop: start R RPCs per second on a fixed schedule; latency is measured from the scheduled start, so queueing is not hidden. The report gives the rate achieved and how far behind schedule it fell'
            cand --payload-size 'Size in bytes of the name (hello) or data (stream) field'
            cand --max-error-rate 'Exit 1 when more than this share (0 to 1) of the RPCs failed'
            cand --addr 'Server address: http://HOST:PORT, https://HOST:PORT or HOST:PORT'
            cand --timeout 'Deadline for the whole RPC, connection included (e.g. 500ms, 2s)'
            cand --connect-timeout 'How long to wait for the connection to be established'
            cand -H 'Request metadata as ''key: value''; repeatable'
            cand --header 'Request metadata as ''key: value''; repeatable'
            cand --compress 'Compress requests with this encoding; compressed responses are always accepted'
            cand --token 'Bearer token sent as `authorization: Bearer TOKEN`'
            cand --max-message-size 'Largest message sent or accepted (e.g. 4MiB, 100MiB)'
            cand --ca 'Trust this PEM CA for an https:// address instead of the public roots'
            cand --cert 'Present this PEM client certificate (mutual TLS)'
            cand --key 'The PEM private key of --cert'
            cand --server-name 'Check the server certificate against NAME instead of the address''s host'
            cand --messages 'Messages per stream, START…END (at least 2) [default: 10]'
            cand --hold 'Keep each stream open and idle this long after START is answered (measures what many open streams cost the server)'
            cand -o 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)'
            cand --output 'The report on stdout: text (ghz-style summary, latency distribution, histogram, statuses) or json (one object, durations in µs)'
            cand --count-errors 'Put failed RPCs in the latency histogram too (as ghz''s --count-errors); by default it holds successful RPCs only and failures are counted apart, by status and message'
            cand -v 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand --verbose 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'grpc-demo;bench;help'= {
            cand hello 'Unary: GreetService.sayHello'
            cand stream 'Bidi: MessageService.iter_message, ping-pong, START…END per stream'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'grpc-demo;bench;help;hello'= {
        }
        &'grpc-demo;bench;help;stream'= {
        }
        &'grpc-demo;bench;help;help'= {
        }
        &'grpc-demo;completions'= {
            cand -v 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand --verbose 'More log output on stderr (-v, -vv). RUST_LOG, when set, wins'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'grpc-demo;help'= {
            cand serve 'Serve GreetService, MessageService, health and reflection'
            cand hello 'Call GreetService.sayHello once and print the greeting'
            cand stream 'Run one MessageService.iter_message stream and print each response as it arrives'
            cand bench 'Load-test the server (like ghz): latency percentiles, RPCs/s, statuses'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'grpc-demo;help;serve'= {
        }
        &'grpc-demo;help;hello'= {
        }
        &'grpc-demo;help;stream'= {
        }
        &'grpc-demo;help;bench'= {
            cand hello 'Unary: GreetService.sayHello'
            cand stream 'Bidi: MessageService.iter_message, ping-pong, START…END per stream'
        }
        &'grpc-demo;help;bench;hello'= {
        }
        &'grpc-demo;help;bench;stream'= {
        }
        &'grpc-demo;help;completions'= {
        }
        &'grpc-demo;help;help'= {
        }
    ]
    $completions[$command]
}
