#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>

// Swift 6 rejects direct access to C global variables (unchecked shared
// mutable state), so the `meta` program reaches readline's configuration
// variables through these accessors. It calls them on one thread only.

/// Installs the program name (for ~/.inputrc conditionals), the characters that
/// end a word for completion, a hook that may choose other word breaks for the
/// line at hand, and the completion function; leaves SIGINT alone (the caller
/// observes it itself). The strings must outlive readline.
static inline void meta_rl_configure(const char *name, const char *word_breaks,
                                     rl_cpvfunc_t *word_break_hook,
                                     rl_completion_func_t *complete) {
  rl_readline_name = name;
  rl_completer_word_break_characters = word_breaks;
  rl_completion_word_break_hook = word_break_hook;
  rl_attempted_completion_function = complete;
  rl_catch_signals = 0;
}

/// Nonzero: the completion function's answer is final (no file name fallback).
static inline void meta_rl_set_completion_over(int over) { rl_attempted_completion_over = over; }

/// The line being edited.
static inline const char *meta_rl_line_buffer(void) { return rl_line_buffer; }
