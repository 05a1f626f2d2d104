# Sourced by zsh-complete.zsh in the interactive zsh it drives, with
# FPATH_DIR and WORK_DIR: loads the completion system with the functions of
# FPATH_DIR; the next completion writes each match it offers to
# WORK_DIR/candidates (one a line) and what the completion functions print on
# stderr to WORK_DIR/errors, then exits the shell.
fpath=($1 $fpath)
typeset -g __capture_work=$2
autoload -Uz compinit
compinit -u -D
bindkey '^I' complete-word
zstyle ':completion:*' insert-tab false
: >$__capture_work/candidates
compadd() {
  # Calls that only collect matches into arrays (-O, -A, -D) are the
  # completion system's own bookkeeping: let them through unrecorded.
  local -i end=${@[(i)(-|--)]}
  if [[ " ${(j: :)@[1,end]} " == *' '-[OAD]* ]]; then
    builtin compadd "$@"
    return
  fi
  # -O: the words that match what is typed, as zsh would offer them.
  local -a __capture_matches
  builtin compadd -O __capture_matches "$@"
  (( $#__capture_matches )) && print -rl -- $__capture_matches >>$__capture_work/candidates
  builtin compadd "$@"
}
__capture_done() {
  : >$__capture_work/done
  exit
}
comppostfuncs=(__capture_done)
# The line editor draws on the terminal through its own descriptor: only the
# completion functions' messages go to this file.
exec 2>$__capture_work/errors
print CAPTURE${:--}READY
