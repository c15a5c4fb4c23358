/* expect-error: 2: wide strings are not supported */
const int *w = L"wide";
