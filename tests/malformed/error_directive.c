/* expect-error: 3: plugin refuses to build */
#ifndef KPLUG_CONFIGURED
#error plugin refuses to build
#endif
