/* expect-error: 3: function cannot return an array|array */
typedef int arr[3];
arr f(void);
