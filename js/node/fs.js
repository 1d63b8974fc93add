// node:fs and node:fs/promises without host file access: module-load probes answer
// (`existsSync` -> false, `constants`, `access*` report ENOENT-free "not supported" errors),
// every other function throws "fs.<name> is not supported in fnhost; ...".
import { notSupported, unsupportedClass } from "ext:fnhost/node/_internal.js";
import { EventEmitter } from "ext:fnhost/10_node.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const HINT = "jobs have no access to the host file system (pass data in state or configuration)";

export const constants = {
  UV_FS_SYMLINK_DIR: 1, UV_FS_SYMLINK_JUNCTION: 2, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2,
  UV_DIRENT_UNKNOWN: 0, UV_DIRENT_FILE: 1, UV_DIRENT_DIR: 2, UV_DIRENT_LINK: 3, UV_DIRENT_FIFO: 4,
  UV_DIRENT_SOCKET: 5, UV_DIRENT_CHAR: 6, UV_DIRENT_BLOCK: 7, EXTENSIONLESS_FORMAT_JAVASCRIPT: 0,
  EXTENSIONLESS_FORMAT_WASM: 1, S_IFMT: 61440, S_IFREG: 32768, S_IFDIR: 16384, S_IFCHR: 8192,
  S_IFBLK: 24576, S_IFIFO: 4096, S_IFLNK: 40960, S_IFSOCK: 49152, O_CREAT: 64, O_EXCL: 128,
  UV_FS_O_FILEMAP: 0, O_NOCTTY: 256, O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536,
  O_NOATIME: 262144, O_NOFOLLOW: 131072, O_SYNC: 1052672, O_DSYNC: 4096, O_DIRECT: 16384,
  O_NONBLOCK: 2048, S_IRWXU: 448, S_IRUSR: 256, S_IWUSR: 128, S_IXUSR: 64, S_IRWXG: 56,
  S_IRGRP: 32, S_IWGRP: 16, S_IXGRP: 8, S_IRWXO: 7, S_IROTH: 4, S_IWOTH: 2, S_IXOTH: 1,
  F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, UV_FS_COPYFILE_EXCL: 1, COPYFILE_EXCL: 1,
  UV_FS_COPYFILE_FICLONE: 2, COPYFILE_FICLONE: 2, UV_FS_COPYFILE_FICLONE_FORCE: 4, COPYFILE_FICLONE_FORCE: 4,
};

const names = [
  "access", "appendFile", "chmod", "chown", "close", "copyFile", "cp", "createReadStream", "createWriteStream",
  "fchmod", "fchown", "fdatasync", "fstat", "fsync", "ftruncate", "futimes", "glob", "lchmod", "lchown", "link",
  "lstat", "lutimes", "mkdir", "mkdtemp", "open", "openAsBlob", "opendir", "read", "readdir", "readFile",
  "readlink", "readv", "realpath", "rename", "rm", "rmdir", "stat", "statfs", "symlink", "truncate", "unlink",
  "unwatchFile", "utimes", "watch", "watchFile", "write", "writeFile", "writev",
];
const syncNames = [
  "accessSync", "appendFileSync", "chmodSync", "chownSync", "closeSync", "copyFileSync", "cpSync", "fchmodSync",
  "fchownSync", "fdatasyncSync", "fstatSync", "fsyncSync", "ftruncateSync", "futimesSync", "globSync",
  "lchmodSync", "lchownSync", "linkSync", "lstatSync", "lutimesSync", "mkdirSync", "mkdtempSync", "openSync",
  "opendirSync", "readdirSync", "readFileSync", "readlinkSync", "readSync", "readvSync", "realpathSync",
  "renameSync", "rmdirSync", "rmSync", "statSync", "statfsSync", "symlinkSync", "truncateSync", "unlinkSync",
  "utimesSync", "writeFileSync", "writeSync", "writevSync",
];
const promiseNames = [
  "access", "appendFile", "chmod", "chown", "copyFile", "cp", "glob", "lchmod", "lchown", "link", "lstat",
  "lutimes", "mkdir", "mkdtemp", "open", "opendir", "readdir", "readFile", "readlink", "realpath", "rename",
  "rm", "rmdir", "stat", "statfs", "symlink", "truncate", "unlink", "utimes", "watch", "writeFile",
];

function thrower(label) {
  const fn = {
    [label.split(".").pop()]() {
      throw notSupported(label.split(".").slice(0, -1).join("."), label.split(".").pop(), HINT);
    },
  };
  return fn[label.split(".").pop()];
}

function rejecter(label) {
  const short = label.split(".").pop();
  const fn = {
    async [short]() {
      throw notSupported(label.split(".").slice(0, -1).join("."), short, HINT);
    },
  };
  return fn[short];
}

class Stats {
  isFile() {
    return false;
  }
  isDirectory() {
    return false;
  }
  isBlockDevice() {
    return false;
  }
  isCharacterDevice() {
    return false;
  }
  isSymbolicLink() {
    return false;
  }
  isFIFO() {
    return false;
  }
  isSocket() {
    return false;
  }
}

class Dirent extends Stats {
  constructor(name, parentPath) {
    super();
    this.name = name;
    this.parentPath = parentPath;
    this.path = parentPath;
  }
}

export function makePromises() {
  const promises = { constants };
  for (const name of promiseNames) promises[name] = rejecter(`fs.promises.${name}`);
  return promises;
}

defineBuiltin("fs", () => {
  const fs = { constants, F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 };
  for (const name of names) fs[name] = thrower(`fs.${name}`);
  for (const name of syncNames) fs[name] = thrower(`fs.${name}`);
  // packages probe these at load time (graceful-fs, fs-extra)
  fs.realpath.native = thrower("fs.realpath.native");
  fs.realpathSync.native = thrower("fs.realpathSync.native");
  fs.existsSync = function existsSync() {
    return false;
  };
  fs.exists = function exists(path, callback) {
    if (typeof callback === "function") queueMicrotask(() => callback(false));
  };
  fs.Stats = Stats;
  fs.Dirent = Dirent;
  fs.Dir = unsupportedClass("fs", "Dir", HINT);
  fs.ReadStream = unsupportedClass("fs", "ReadStream", HINT, EventEmitter);
  fs.WriteStream = unsupportedClass("fs", "WriteStream", HINT, EventEmitter);
  fs.FileReadStream = fs.ReadStream;
  fs.FileWriteStream = fs.WriteStream;
  fs.promises = makePromises();
  return fs;
});

defineBuiltin("fs/promises", () => makePromises());
