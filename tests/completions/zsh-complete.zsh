# Usage: zsh -f zsh-complete.zsh FPATH_DIR WORK_DIR WORD...
#
# Completes the command line `WORD...` (the last WORD is the one being
# completed; '' starts a new word) in a real interactive zsh with compinit
# and the completion functions of FPATH_DIR, and prints each candidate that
# zsh offers, one a line. Whatever the completion functions print on stderr
# (a broken `_arguments` spec, say) is repeated on stderr and exits 1.
# WORK_DIR is an empty directory for the files the two shells share.
#
# zsh completes only inside its line editor, which needs a terminal: the
# interactive zsh runs on a pseudo-terminal (zsh/zpty), where the line is
# typed followed by TAB; zsh-capture.zsh, sourced there, records the matches
# (the approach of Valodim/zsh-capture-completion). The caller bounds the
# time: a completion that never ends never exits.
emulate -L zsh
setopt err_return no_unset
zmodload zsh/zpty

local fpath_dir=$1 work=$2
shift 2
local capture=${0:A:h}/zsh-capture.zsh

zpty capture "exec env TERM=dumb zsh -f -i"
# Wait until the setup is done before typing, so the keys reach the line
# editor and not a command still running.
zpty -w capture "source ${(q)capture} ${(q)fpath_dir} ${(q)work}"
local chunk
zpty -r capture chunk '*CAPTURE-READY*'
zpty -w -n capture "${(j: :)@}"$'\t'
# The shell exits once the completion is done: read its terminal to the end.
while zpty -r capture chunk; do :; done
zpty -d capture

if [[ ! -f $work/done ]]; then
  print -u2 "zsh-complete: the completion did not run"
  cat -- $work/errors >&2
  exit 1
fi
cat -- $work/candidates
if [[ -s $work/errors ]]; then
  cat -- $work/errors >&2
  exit 1
fi
