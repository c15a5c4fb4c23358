/* expect-error: 2: unknown type name 'foo_t'|foo_t */
foo_t x;
