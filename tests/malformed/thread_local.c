/* expect-error: 2: _Thread_local */
_Thread_local int counter;
