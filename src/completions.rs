//! Shell completion scripts, generated from the clap definition in `cli.rs`
//! (`grpc-demo completions SHELL`, and the copies checked in under
//! `completions/`).

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// The command the scripts complete.
pub const BIN_NAME: &str = "grpc-demo";

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN_NAME, &mut script);
    match shell {
        Shell::Bash => match String::from_utf8(script) {
            Ok(text) => fix_bash_state_names(&text, BIN_NAME).into_bytes(),
            Err(err) => err.into_bytes(),
        },
        _ => script,
    }
}

/// clap_complete's bash generator (4.6.11, the latest) spells a subcommand's
/// state two ways when the binary's name has a hyphen: the loop over the
/// words sets `cmd="grpc__demo__subcmd__hello"`, but the case arm that
/// completes `hello` is labelled `grpc__subcmd__demo__subcmd__hello` (it
/// escapes the hyphen of the binary name as a subcommand separator). No arm
/// ever matches, so nothing after the first word completes
/// (clap-rs/clap#6421, #6529, unfixed upstream). This relabels those arms
/// the way the loop spells the state, which is what the upstream fixes
/// proposed do; on a generator without the bug it changes nothing.
fn fix_bash_state_names(script: &str, bin_name: &str) -> String {
    const ARM_INDENT: &str = "\n        ";
    const SUBCMD_SEP: &str = "__subcmd__";
    let wrong = format!(
        "{ARM_INDENT}{}{SUBCMD_SEP}",
        bin_name.replace('-', SUBCMD_SEP)
    );
    let right = format!("{ARM_INDENT}{}{SUBCMD_SEP}", bin_name.replace('-', "__"));
    script.replace(&wrong, &right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_case_arms_are_spelled_as_the_loop_sets_the_state() {
        let script = String::from_utf8(script(Shell::Bash)).expect("UTF-8");
        assert!(!script.contains("grpc__subcmd__demo"), "{script}");
        // Every state the loop can set has an arm that completes it.
        for line in script.lines() {
            let Some(state) = line
                .trim()
                .strip_prefix("cmd=\"")
                .and_then(|rest| rest.strip_suffix('"'))
                .filter(|state| !state.is_empty())
            else {
                continue;
            };
            assert!(
                script.contains(&format!("\n        {state})\n")),
                "no case arm for {state}"
            );
        }
    }

    /// clap_complete writes value names into zsh's `_arguments` specs as they
    /// are: `'KEY: VALUE'` there broke the completion of every client
    /// subcommand (`_arguments: invalid argument: VALUE:_default`).
    #[test]
    fn value_names_are_plain_words() {
        fn check(command: &clap::Command, path: &str) {
            for arg in command.get_arguments() {
                for name in arg.get_value_names().unwrap_or_default() {
                    assert!(
                        name.chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                        "{path} --{}: value name {name:?} is not a plain upper-case word",
                        arg.get_id()
                    );
                }
            }
            for sub in command.get_subcommands() {
                check(sub, &format!("{path} {}", sub.get_name()));
            }
        }
        check(&Cli::command(), BIN_NAME);
    }
}
