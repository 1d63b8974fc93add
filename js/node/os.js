// node:os -- a fixed, host-independent description of the machine (fnhost never reveals the
// host's users, interfaces or memory). fnhost's own rather than Deno's, whose answers are the
// host's (behind permissions a run does not get, so they would throw).
import { defineBuiltin } from "ext:fnhost/04_require.js";

const signals = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGCHLD: 17, SIGSTKFLT: 16,
  SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25,
  SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31,
};
const errno = {
  E2BIG: 7, EACCES: 13, EADDRINUSE: 98, EADDRNOTAVAIL: 99, EAFNOSUPPORT: 97, EAGAIN: 11, EALREADY: 114, EBADF: 9,
  EBUSY: 16, ECANCELED: 125, ECHILD: 10, ECONNABORTED: 103, ECONNREFUSED: 111, ECONNRESET: 104, EDEADLK: 35,
  EDESTADDRREQ: 89, EDOM: 33, EEXIST: 17, EFAULT: 14, EFBIG: 27, EHOSTUNREACH: 113, EINTR: 4, EINVAL: 22, EIO: 5,
  EISCONN: 106, EISDIR: 21, ELOOP: 40, EMFILE: 24, EMLINK: 31, EMSGSIZE: 90, ENAMETOOLONG: 36, ENETDOWN: 100,
  ENETRESET: 102, ENETUNREACH: 101, ENFILE: 23, ENOBUFS: 105, ENODEV: 19, ENOENT: 2, ENOEXEC: 8, ENOMEM: 12,
  ENOSPC: 28, ENOSYS: 38, ENOTCONN: 107, ENOTDIR: 20, ENOTEMPTY: 39, ENOTSOCK: 88, ENOTSUP: 95, ENOTTY: 25,
  ENXIO: 6, EOPNOTSUPP: 95, EPERM: 1, EPIPE: 32, ERANGE: 34, EROFS: 30, ESPIPE: 29, ESRCH: 3, ETIMEDOUT: 110,
  ETXTBSY: 26, EWOULDBLOCK: 11, EXDEV: 18, EBADMSG: 74, EDQUOT: 122, EIDRM: 43, EILSEQ: 84, EINPROGRESS: 115,
  EMULTIHOP: 72, ENODATA: 61, ENOLCK: 37, ENOLINK: 67, ENOMSG: 42, ENOPROTOOPT: 92, ENOSR: 63, ENOSTR: 60,
  EOVERFLOW: 75, EPROTO: 71, EPROTONOSUPPORT: 93, EPROTOTYPE: 91, ESTALE: 116, ETIME: 62,
};
const priority = { PRIORITY_LOW: 19, PRIORITY_BELOW_NORMAL: 10, PRIORITY_NORMAL: 0, PRIORITY_ABOVE_NORMAL: -7, PRIORITY_HIGH: -14, PRIORITY_HIGHEST: -20 };

const cpu = () => ({ model: "fnhost virtual CPU", speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } });
const home = "/home/fnhost";

defineBuiltin("os", () => ({
  EOL: "\n",
  devNull: "/dev/null",
  constants: { signals, errno, priority, dlopen: { RTLD_LAZY: 1, RTLD_NOW: 2, RTLD_GLOBAL: 256, RTLD_LOCAL: 0, RTLD_DEEPBIND: 8 }, UV_UDP_REUSEADDR: 4 },
  arch: () => "x64",
  platform: () => "linux",
  type: () => "Linux",
  machine: () => "x86_64",
  release: () => "6.0.0-fnhost",
  version: () => "#1 SMP fnhost",
  hostname: () => "localhost",
  homedir: () => home,
  tmpdir: () => "/tmp",
  endianness: () => "LE",
  cpus: () => [cpu()],
  availableParallelism: () => 1,
  totalmem: () => 2 ** 32,
  freemem: () => 2 ** 31,
  uptime: () => 0,
  loadavg: () => [0, 0, 0],
  networkInterfaces: () => ({}),
  userInfo: (options) => {
    const enc = options?.encoding === "buffer" ? (s) => globalThis.Buffer.from(s) : (s) => s;
    return { uid: 1000, gid: 1000, username: enc("fnhost"), homedir: enc(home), shell: null };
  },
  getPriority: () => 0,
  setPriority: () => {},
}));
