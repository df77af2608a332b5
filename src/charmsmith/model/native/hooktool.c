/*
 * charmsmith hook-tool client and unit launcher (one binary, many names).
 *
 * Why C: a hook can make hundreds of tool calls and each Python interpreter start costs ~30 ms,
 * so the emulated tools must be a tiny exec + one unix-socket round trip (target: < 3 ms).
 *
 * As a hook tool (invoked as config-get, relation-set, apt-get, ...): sends
 *   u32 n, then n items of (u32 len, bytes): JUJU_CONTEXT_ID, cwd, stdin, argv[0..]
 * to the model's socket, receives (i32 rc, u32 len, stdout, u32 len, stderr), prints and exits.
 * stdin is only forwarded when an argument is "-" (relation-set --file -), so tools never block.
 *
 * As `charmsmith-enter NETNS SPEC CWD -- CMD...`: joins the unit's network namespace, then a
 * mount namespace with the SPEC file's overlay/bind/sysfs lines applied, chdirs and execs CMD.
 * Emulated units get a fresh namespace per command (the model writes into their upper dirs from
 * outside, which a long-lived overlay mount would not see). Real-mode units, where real daemons
 * outlive the hook that started them, get one view like a machine's: the model creates an empty
 * SPEC.mntns, the first entry makes the namespace and pins it there (bind mount), and every
 * later hook, `ssh` and daemon joins it. Overlayfs resets its workdir on every mount, so a daemon
 * left in an older mount of the same upper dir could no longer create files (ENOENT on copy-up).
 * Doing this in C (instead of `ip netns exec` + `mount` processes) keeps hook start cheap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef DEFAULT_SOCKET
#define DEFAULT_SOCKET "/var/lib/juju/charmsmith/hooktools.sock"
#endif

static int write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len) {
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Growable request buffer. */
static char *req;
static size_t req_len, req_cap;

static void put(const void *data, uint32_t len) {
    if (req_len + len + 4 > req_cap) {
        req_cap = (req_len + len + 4) * 2 + 4096;
        req = realloc(req, req_cap);
        if (!req) { perror("charmsmith hook tool"); exit(1); }
    }
    memcpy(req + req_len, &len, 4);
    memcpy(req + req_len + 4, data, len);
    req_len += 4 + len;
}

static char *slurp_stdin(uint32_t *out_len) {
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    ssize_t n;
    while (buf && (n = read(0, buf + len, cap - len)) > 0) {
        len += (size_t)n;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    *out_len = (uint32_t)len;
    return buf;
}

static int hook_tool(int argc, char **argv) {
    const char *sock_path = getenv("CHARMSMITH_SOCKET");
    if (!sock_path || !*sock_path) sock_path = DEFAULT_SOCKET;
    const char *ctx = getenv("JUJU_CONTEXT_ID");
    if (!ctx) ctx = "";
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "/");
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];

    /* `--file F` / `--file=F` (relation-set): the client reads F itself, inside the unit's view,
     * and sends its content as "stdin", so the model never resolves paths in a unit's mounts. */
    uint32_t stdin_len = 0;
    char *stdin_buf = NULL;
    for (int i = 1; i < argc && !stdin_buf; i++) {
        const char *file = NULL;
        if (strcmp(argv[i], "--file") == 0 && i + 1 < argc) file = argv[i + 1];
        else if (strncmp(argv[i], "--file=", 7) == 0) file = argv[i] + 7;
        if (!file) continue;
        if (strcmp(file, "-") == 0) {
            stdin_buf = slurp_stdin(&stdin_len);
        } else {
            int fd = open(file, O_RDONLY);
            if (fd < 0) {
                fprintf(stderr, "ERROR open %s: %s\n", file, strerror(errno));
                return 1;
            }
            int saved = dup(0);
            dup2(fd, 0);
            stdin_buf = slurp_stdin(&stdin_len);
            dup2(saved, 0);
            close(fd);
            close(saved);
        }
    }

    uint32_t n = (uint32_t)argc + 3;
    req = malloc(req_cap = 8192);
    memcpy(req, &n, 4);
    req_len = 4;
    put(ctx, (uint32_t)strlen(ctx));
    put(cwd, (uint32_t)strlen(cwd));
    put(stdin_buf ? stdin_buf : "", stdin_len);
    put(base, (uint32_t)strlen(base));
    for (int i = 1; i < argc; i++) put(argv[i], (uint32_t)strlen(argv[i]));

    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, sock_path, sizeof addr.sun_path - 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        fprintf(stderr, "%s: cannot reach the charmsmith model at %s: %s\n", base, sock_path,
                strerror(errno));
        return 1;
    }
    if (write_all(fd, req, req_len) < 0) { perror(base); return 1; }
    int32_t rc;
    uint32_t len;
    if (read_all(fd, &rc, 4) < 0) { fprintf(stderr, "%s: model closed the connection\n", base); return 1; }
    for (int stream = 1; stream <= 2; stream++) {
        if (read_all(fd, &len, 4) < 0) return 1;
        char *buf = malloc(len + 1);
        if (!buf || read_all(fd, buf, len) < 0) return 1;
        write_all(stream, buf, len);
        free(buf);
    }
    return rc;
}

/* Apply the SPEC file's lines in the current (new, private) mount namespace. */
static int apply_spec(FILE *f) {
    char line[8192], kind[32], a[2048], b[2048], c[2048], d[2048];
    while (fgets(line, sizeof line, f)) {
        int n = sscanf(line, "%31s %2047s %2047s %2047s %2047s", kind, a, b, c, d);
        int rc = 0;
        if (n == 5 && strcmp(kind, "overlay") == 0) {
            char opts[7000];
            snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", b, c, d);
            rc = mount("overlay", a, "overlay", 0, opts);
        } else if (n == 3 && strcmp(kind, "bind") == 0) {
            rc = mount(a, b, NULL, MS_BIND, NULL);
        } else if (n == 2 && strcmp(kind, "sysfs") == 0) {
            umount2(a, MNT_DETACH);
            mount("sysfs", a, "sysfs", 0, NULL); /* best effort: shows the unit's interfaces */
        } else if (n >= 1 && kind[0] != '#') {
            fprintf(stderr, "charmsmith-enter: bad spec line: %s", line);
            return -1;
        }
        if (rc < 0) {
            fprintf(stderr, "charmsmith-enter: %s %s: %s\n", kind, a, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static int new_view(FILE *f) {
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        fprintf(stderr, "charmsmith-enter: mount namespace: %s\n", strerror(errno));
        return -1;
    }
    return apply_spec(f);
}

/* A fresh view, or (when SPEC.mntns exists) the unit's pinned one, made and pinned if needed.
 * Pinning needs a process in the host's namespace (a namespace cannot bind itself there), so
 * a forked helper stays behind, waits until the mounts are made, and binds /proc/PARENT/ns/mnt.
 * The lock on SPEC keeps two first entries (a hook and an ssh) from making two views. */
static int join_or_make_view(const char *spec) {
    char pin[4096];
    snprintf(pin, sizeof pin, "%s.mntns", spec);
    FILE *f = fopen(spec, "r");
    if (!f) { fprintf(stderr, "charmsmith-enter: %s: %s\n", spec, strerror(errno)); return -1; }
    flock(fileno(f), LOCK_EX);
    int nsfd = open(pin, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) { /* not pinned: a view for this command only */
        int rc = new_view(f);
        fclose(f);
        return rc;
    }
    if (setns(nsfd, CLONE_NEWNS) == 0) { /* the empty file (first entry, reboot) fails here */
        close(nsfd);
        fclose(f);
        return 0;
    }
    close(nsfd);
    int ready[2];
    if (pipe(ready) < 0) { perror("charmsmith-enter: pipe"); return -1; }
    pid_t parent = getpid();
    pid_t helper = fork();
    if (helper < 0) { perror("charmsmith-enter: fork"); return -1; }
    if (helper == 0) {
        close(ready[1]);
        char byte;
        if (read(ready[0], &byte, 1) != 1) _exit(1); /* the parent failed: pin nothing */
        char source[64];
        snprintf(source, sizeof source, "/proc/%d/ns/mnt", (int)parent);
        if (mount(source, pin, NULL, MS_BIND, NULL) < 0) {
            fprintf(stderr, "charmsmith-enter: pin %s: %s\n", pin, strerror(errno));
            _exit(1);
        }
        _exit(0);
    }
    close(ready[0]);
    if (new_view(f) < 0) return -1;
    if (write(ready[1], "x", 1) != 1) perror("charmsmith-enter: pin");
    close(ready[1]);
    int status = 0;
    waitpid(helper, &status, 0);
    fclose(f); /* drops the lock: later entries join the pinned view */
    return 0;
}

/* `charmsmith-enter NETNS SPEC CWD -- CMD...`; NETNS or SPEC may be "-" (skip that part). */
static int enter(int argc, char **argv) {
    if (argc < 6 || strcmp(argv[4], "--") != 0) {
        fprintf(stderr, "usage: charmsmith-enter NETNS SPEC CWD -- CMD...\n");
        return 2;
    }
    const char *netns = argv[1], *spec = argv[2], *cwd = argv[3];
    if (strcmp(netns, "-") != 0) {
        int nsfd = open(netns, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
            fprintf(stderr, "charmsmith-enter: network namespace %s: %s\n", netns, strerror(errno));
            return 125;
        }
        close(nsfd);
    }
    if (strcmp(spec, "-") != 0 && join_or_make_view(spec) != 0) return 125;
    if (chdir(cwd) < 0) { fprintf(stderr, "charmsmith-enter: chdir %s: %s\n", cwd, strerror(errno)); return 125; }
    execvp(argv[5], argv + 5);
    fprintf(stderr, "charmsmith-enter: exec %s: %s\n", argv[5], strerror(errno));
    return 127;
}

int main(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (strcmp(base, "charmsmith-enter") == 0) return enter(argc, argv);
    return hook_tool(argc, argv);
}
