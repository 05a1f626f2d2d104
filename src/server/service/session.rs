//! The START / PROGRESS / END sequencing of `MessageService.iter_message`, as
//! a pure state machine: no I/O, so every rule is unit-tested directly.

use crate::proto::{MessageRequest, MessageResponse, MsgType};

pub const CODE_OK: i32 = 200;
pub const CODE_OUT_OF_SEQUENCE: i32 = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// Nothing accepted yet: only START with msgIndex 0 is in sequence.
    #[default]
    AwaitingStart,
    /// START accepted; `last_index` is the msgIndex of the last message accepted.
    InProgress { last_index: i32 },
    /// END accepted: the stream is over.
    Finished,
}

/// One stream's conversation. Feed it each request with [`Session::accept`];
/// an out-of-sequence request is answered with 400 and does not advance it.
#[derive(Debug, Default)]
pub struct Session {
    state: State,
}

impl Session {
    pub fn new() -> Self {
        Self::default()
    }

    /// True once END has been accepted: the server answers nothing after it.
    pub fn is_finished(&self) -> bool {
        self.state == State::Finished
    }

    /// Answers one request and advances the state if it was in sequence.
    pub fn accept(&mut self, request: &MessageRequest) -> MessageResponse {
        let got = Got(request);
        match (self.state, MsgType::try_from(request.msg_type)) {
            (State::Finished, _) => refuse(format!("stream already ended, got {got}")),
            (State::AwaitingStart, Ok(MsgType::Start)) if request.msg_index == 0 => {
                self.state = State::InProgress { last_index: 0 };
                answer("started")
            }
            (State::AwaitingStart, _) => refuse(format!("expected START msgIndex 0, got {got}")),
            (State::InProgress { last_index }, msg_type) => {
                let Some(expected_index) = last_index.checked_add(1) else {
                    return refuse(format!("msgIndex cannot go past {last_index}, got {got}"));
                };
                match msg_type {
                    Ok(MsgType::Start) => refuse(format!(
                        "expected PROGRESS or END msgIndex {expected_index}, got a second START"
                    )),
                    Err(_) => refuse(format!(
                        "expected PROGRESS or END msgIndex {expected_index}, got {got}"
                    )),
                    Ok(_) if request.msg_index != expected_index => {
                        refuse(format!("expected msgIndex {expected_index}, got {got}"))
                    }
                    Ok(MsgType::Progress) => {
                        self.state = State::InProgress {
                            last_index: expected_index,
                        };
                        answer("doing")
                    }
                    Ok(MsgType::End) => {
                        self.state = State::Finished;
                        answer("done")
                    }
                }
            }
        }
    }
}

/// Renders a request for error messages: `PROGRESS msgIndex 3`.
struct Got<'a>(&'a MessageRequest);

impl std::fmt::Display for Got<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match MsgType::try_from(self.0.msg_type) {
            Ok(msg_type) => write!(
                f,
                "{} msgIndex {}",
                msg_type.as_str_name(),
                self.0.msg_index
            ),
            Err(_) => write!(
                f,
                "unknown msgType {} msgIndex {}",
                self.0.msg_type, self.0.msg_index
            ),
        }
    }
}

fn answer(message: &str) -> MessageResponse {
    MessageResponse {
        code: CODE_OK,
        message: message.to_owned(),
    }
}

fn refuse(message: String) -> MessageResponse {
    MessageResponse {
        code: CODE_OUT_OF_SEQUENCE,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(msg_type: MsgType, msg_index: i32) -> MessageRequest {
        MessageRequest {
            msg_type: msg_type as i32,
            msg_index,
            ..Default::default()
        }
    }

    fn codes(session: &mut Session, requests: &[MessageRequest]) -> Vec<(i32, String)> {
        requests
            .iter()
            .map(|r| {
                let response = session.accept(r);
                (response.code, response.message)
            })
            .collect()
    }

    #[test]
    fn a_well_formed_sequence_is_started_doing_done() {
        let mut session = Session::new();
        let answers = codes(
            &mut session,
            &[
                msg(MsgType::Start, 0),
                msg(MsgType::Progress, 1),
                msg(MsgType::Progress, 2),
                msg(MsgType::End, 3),
            ],
        );
        let expected = [
            (200, "started"),
            (200, "doing"),
            (200, "doing"),
            (200, "done"),
        ];
        assert_eq!(answers, expected.map(|(c, m)| (c, m.to_owned())).to_vec());
        assert!(session.is_finished());
    }

    #[test]
    fn start_then_end_is_the_shortest_stream() {
        let mut session = Session::new();
        assert_eq!(session.accept(&msg(MsgType::Start, 0)).message, "started");
        assert_eq!(session.accept(&msg(MsgType::End, 1)).message, "done");
        assert!(session.is_finished());
    }

    #[test]
    fn a_first_message_that_is_not_start_is_refused_and_does_not_advance() {
        let mut session = Session::new();
        let response = session.accept(&msg(MsgType::Progress, 0));
        assert_eq!(response.code, 400);
        assert_eq!(
            response.message,
            "expected START msgIndex 0, got PROGRESS msgIndex 0"
        );
        // Still awaiting START.
        assert_eq!(session.accept(&msg(MsgType::Start, 0)).code, 200);
    }

    #[test]
    fn start_with_a_nonzero_index_is_refused() {
        let mut session = Session::new();
        let response = session.accept(&msg(MsgType::Start, 1));
        assert_eq!(response.code, 400);
        assert_eq!(
            response.message,
            "expected START msgIndex 0, got START msgIndex 1"
        );
        assert!(!session.is_finished());
    }

    #[test]
    fn an_index_gap_is_refused_and_the_expected_index_stays() {
        let mut session = Session::new();
        session.accept(&msg(MsgType::Start, 0));
        let response = session.accept(&msg(MsgType::Progress, 2));
        assert_eq!(response.code, 400);
        assert_eq!(
            response.message,
            "expected msgIndex 1, got PROGRESS msgIndex 2"
        );
        assert_eq!(session.accept(&msg(MsgType::Progress, 1)).code, 200);
    }

    #[test]
    fn a_repeated_index_is_refused() {
        let mut session = Session::new();
        session.accept(&msg(MsgType::Start, 0));
        session.accept(&msg(MsgType::Progress, 1));
        let response = session.accept(&msg(MsgType::Progress, 1));
        assert_eq!(response.code, 400);
        assert_eq!(
            response.message,
            "expected msgIndex 2, got PROGRESS msgIndex 1"
        );
    }

    #[test]
    fn an_end_out_of_sequence_does_not_finish_the_stream() {
        let mut session = Session::new();
        session.accept(&msg(MsgType::Start, 0));
        let response = session.accept(&msg(MsgType::End, 5));
        assert_eq!(response.code, 400);
        assert_eq!(response.message, "expected msgIndex 1, got END msgIndex 5");
        assert!(!session.is_finished());
    }

    #[test]
    fn a_second_start_is_refused() {
        let mut session = Session::new();
        session.accept(&msg(MsgType::Start, 0));
        let response = session.accept(&msg(MsgType::Start, 1));
        assert_eq!(response.code, 400);
        assert_eq!(
            response.message,
            "expected PROGRESS or END msgIndex 1, got a second START"
        );
        assert_eq!(session.accept(&msg(MsgType::End, 1)).code, 200);
    }

    #[test]
    fn an_unknown_message_type_is_refused() {
        let mut session = Session::new();
        let unknown = MessageRequest {
            msg_type: 7,
            msg_index: 0,
            ..Default::default()
        };
        let response = session.accept(&unknown);
        assert_eq!(response.code, 400);
        assert_eq!(
            response.message,
            "expected START msgIndex 0, got unknown msgType 7 msgIndex 0"
        );
        session.accept(&msg(MsgType::Start, 0));
        let response = session.accept(&MessageRequest {
            msg_index: 1,
            ..unknown
        });
        assert_eq!(
            response.message,
            "expected PROGRESS or END msgIndex 1, got unknown msgType 7 msgIndex 1"
        );
    }

    #[test]
    fn anything_after_end_is_refused() {
        let mut session = Session::new();
        session.accept(&msg(MsgType::Start, 0));
        session.accept(&msg(MsgType::End, 1));
        let response = session.accept(&msg(MsgType::Progress, 2));
        assert_eq!(response.code, 400);
        assert!(session.is_finished());
    }

    #[test]
    fn the_index_cannot_overflow() {
        let mut session = Session {
            state: State::InProgress {
                last_index: i32::MAX,
            },
        };
        let response = session.accept(&msg(MsgType::Progress, i32::MIN));
        assert_eq!(response.code, 400);
        assert!(response.message.starts_with("msgIndex cannot go past"));
    }
}
