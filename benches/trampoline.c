/*
 * The floor of the whole-process benchmark: a program that does nothing but
 * execve its engine with an argv like the wrapper's (same length, same
 * words for release 2512.x), the environment unchanged. Whatever the wrapper
 * costs above this is the price of deciding, creating directories and
 * printing the trace line.
 *
 * Built by benches/run.sh with `gcc -O2 -static` (no dynamic loader: the
 * cheapest a process can be) and `gcc -O2` (dynamically linked, for
 * reference).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static char *const fixed[] = {
    "run",
    "--insecure-options=image",
    "--volume", "coreos-etc-kubernetes,kind=host,source=/etc/kubernetes,readOnly=false",
    "--volume", "coreos-etc-ssl-certs,kind=host,source=/etc/ssl/certs,readOnly=true",
    "--volume", "coreos-usr-share-certs,kind=host,source=/usr/share/ca-certificates,readOnly=true",
    "--volume", "coreos-var-lib-docker,kind=host,source=/var/lib/docker,readOnly=false",
    "--volume", "coreos-var-lib-kubelet,kind=host,source=/var/lib/kubelet,readOnly=false,recursive=true",
    "--volume", "coreos-var-log,kind=host,source=/var/log,readOnly=false",
    "--volume", "coreos-os-release,kind=host,source=/usr/lib/os-release,readOnly=true",
    "--volume", "coreos-run,kind=host,source=/run,readOnly=false",
    "--volume", "coreos-lib-modules,kind=host,source=/lib/modules,readOnly=true",
    "--volume", "coreos-etc-machine-id,kind=host,source=/etc/machine-id,readOnly=true",
    "--mount", "volume=coreos-etc-kubernetes,target=/etc/kubernetes",
    "--mount", "volume=coreos-etc-ssl-certs,target=/etc/ssl/certs",
    "--mount", "volume=coreos-usr-share-certs,target=/usr/share/ca-certificates",
    "--mount", "volume=coreos-var-lib-docker,target=/var/lib/docker",
    "--mount", "volume=coreos-var-lib-kubelet,target=/var/lib/kubelet",
    "--mount", "volume=coreos-var-log,target=/var/log",
    "--mount", "volume=coreos-os-release,target=/etc/os-release",
    "--mount", "volume=coreos-run,target=/run",
    "--mount", "volume=coreos-lib-modules,target=/lib/modules",
    "--mount", "volume=coreos-etc-machine-id,target=/etc/machine-id",
    "--hosts-entry", "host",
    "--stage1-from-dir=stage1-fly.aci",
    "docker://quay.io/coreos/hyperkube:v1.18.0_coreos.0",
    "--exec=/kubelet",
    "--",
};

#define NFIXED (sizeof fixed / sizeof fixed[0])

int main(int argc, char **argv)
{
    /* The engine as the wrapper finds it: $RKT, else the release default. */
    const char *engine = getenv("RKT");
    char *args[NFIXED + 2 + 4096];
    size_t n = 0, i;

    if (engine == NULL || *engine == '\0')
        engine = "/usr/bin/rkt";
    if ((size_t)argc - 1 > 4096) {
        fputs("trampoline: too many arguments\n", stderr);
        return 1;
    }
    args[n++] = (char *)engine;
    for (i = 0; i < NFIXED; i++)
        args[n++] = fixed[i];
    for (i = 1; i < (size_t)argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    execve(engine, args, environ);
    perror("trampoline: execve");
    return 127;
}
