// Compiled header-only and checked by alchemy.structure.header_only_core_emits_no_code
// (cmake/alchemy_check_emitted_code.cmake): a file that includes alchemy's core
// and uses none of it must define none of alchemy's functions or vtables.
//
// A virtual function declared without `inline` in its class and defined in an
// .ipp is the class's key function; defined inline, it makes every translation
// unit that includes the header emit the vtable and, through it, every function
// the vtable reaches — for session_core that was the whole session, the unit of
// work and the SQL compiler, 1.2 MB of code and 7 s at -O0 in every file. Such
// declarations carry ALCHEMY_INLINE (include/alchemy/detail/config.hpp).
#include <alchemy/core.hpp>
