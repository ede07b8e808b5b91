// tests/support/fault_vfs.cpp — the fault-injecting VFS (see fault_vfs.hpp).
#include "support/fault_vfs.hpp"

#include <stdexcept>

#include <sqlite3.h>

namespace test_support {
namespace {

sqlite3_vfs* real_vfs = nullptr;  // the default VFS, wrapped

// A file of this VFS: its own header, then the real VFS's file.
struct fault_file {
    sqlite3_file base;
    sqlite3_file* real;
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<fault_file*>(f)->real; }

int injected_error(unsigned op, fault kind) {
    if (kind == fault::disk_full) return SQLITE_FULL;
    switch (op) {
        case io::read: return SQLITE_IOERR_READ;
        case io::sync: return SQLITE_IOERR_FSYNC;
        default: return SQLITE_IOERR_WRITE;
    }
}

// ---- file methods: the counted ones may fail, the rest pass through ----------

int x_close(sqlite3_file* f) {
    auto* real = real_of(f);
    const int rc = real->pMethods ? real->pMethods->xClose(real) : SQLITE_OK;
    f->pMethods = nullptr;
    return rc;
}
int x_read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
    if (const int rc = fault_vfs::get().check(io::read)) return rc;
    return real_of(f)->pMethods->xRead(real_of(f), data, amount, offset);
}
int x_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    if (const int rc = fault_vfs::get().check(io::write)) return rc;
    return real_of(f)->pMethods->xWrite(real_of(f), data, amount, offset);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
    if (const int rc = fault_vfs::get().check(io::write)) return rc == SQLITE_IOERR_WRITE ? SQLITE_IOERR_TRUNCATE : rc;
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
int x_sync(sqlite3_file* f, int flags) {
    if (const int rc = fault_vfs::get().check(io::sync)) return rc;
    return real_of(f)->pMethods->xSync(real_of(f), flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); }
int x_lock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xLock(real_of(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xUnlock(real_of(f), level); }
int x_check_reserved_lock(sqlite3_file* f, int* out) {
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) { return real_of(f)->pMethods->xFileControl(real_of(f), op, arg); }
int x_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int x_device_characteristics(sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int x_shm_unmap(sqlite3_file* f, int remove) { return real_of(f)->pMethods->xShmUnmap(real_of(f), remove); }
int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    // Memory-mapped reads would bypass x_read: refuse them, SQLite reads instead.
    (void)f, (void)offset, (void)amount;
    *out = nullptr;
    return SQLITE_OK;
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
    (void)f, (void)offset, (void)page;
    return SQLITE_OK;
}

// One method table per io_methods version: a wrapped file claims no more
// than its real file offers.
sqlite3_io_methods methods_of_version(int version) {
    return {version,       x_close,        x_read,          x_write,          x_truncate,
            x_sync,        x_file_size,    x_lock,          x_unlock,         x_check_reserved_lock,
            x_file_control, x_sector_size, x_device_characteristics,
            version >= 2 ? x_shm_map : nullptr,
            version >= 2 ? x_shm_lock : nullptr,
            version >= 2 ? x_shm_barrier : nullptr,
            version >= 2 ? x_shm_unmap : nullptr,
            version >= 3 ? x_fetch : nullptr,
            version >= 3 ? x_unfetch : nullptr};
}
sqlite3_io_methods methods[3] = {methods_of_version(1), methods_of_version(2), methods_of_version(3)};

// ---- VFS methods: open wraps, the rest pass through ------------------------------

int x_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    auto* f = reinterpret_cast<fault_file*>(file);
    f->real = reinterpret_cast<sqlite3_file*>(f + 1);
    f->real->pMethods = nullptr;
    const int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    // SQLite reads pMethods whatever xOpen returns: null means nothing to close.
    if (const auto* m = f->real->pMethods) f->base.pMethods = &methods[(m->iVersion < 1 ? 1 : m->iVersion > 3 ? 3 : m->iVersion) - 1];
    else f->base.pMethods = nullptr;
    return rc;
}
int x_delete(sqlite3_vfs*, const char* name, int sync_dir) { return real_vfs->xDelete(real_vfs, name, sync_dir); }
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) { return real_vfs->xAccess(real_vfs, name, flags, out); }
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void x_dl_error(sqlite3_vfs*, int n, char* out) { real_vfs->xDlError(real_vfs, n, out); }
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) { return real_vfs->xDlSym(real_vfs, handle, symbol); }
void x_dl_close(sqlite3_vfs*, void* handle) { real_vfs->xDlClose(real_vfs, handle); }
int x_randomness(sqlite3_vfs*, int n, char* out) { return real_vfs->xRandomness(real_vfs, n, out); }
int x_sleep(sqlite3_vfs*, int microseconds) { return real_vfs->xSleep(real_vfs, microseconds); }
int x_current_time(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int x_get_last_error(sqlite3_vfs*, int n, char* out) { return real_vfs->xGetLastError(real_vfs, n, out); }
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) { return real_vfs->xCurrentTimeInt64(real_vfs, out); }

sqlite3_vfs wrapper{};

}  // namespace

fault_vfs& fault_vfs::get() {
    static fault_vfs* vfs = [] {
        real_vfs = sqlite3_vfs_find(nullptr);
        if (!real_vfs) throw std::runtime_error("fault_vfs: SQLite has no default VFS");
        wrapper.iVersion = 2;  // up to xCurrentTimeInt64; no system-call overrides
        wrapper.szOsFile = static_cast<int>(sizeof(fault_file)) + real_vfs->szOsFile;
        wrapper.mxPathname = real_vfs->mxPathname;
        wrapper.zName = name;
        wrapper.xOpen = x_open;
        wrapper.xDelete = x_delete;
        wrapper.xAccess = x_access;
        wrapper.xFullPathname = x_full_pathname;
        wrapper.xDlOpen = x_dl_open;
        wrapper.xDlError = x_dl_error;
        wrapper.xDlSym = x_dl_sym;
        wrapper.xDlClose = x_dl_close;
        wrapper.xRandomness = x_randomness;
        wrapper.xSleep = x_sleep;
        wrapper.xCurrentTime = x_current_time;
        wrapper.xGetLastError = x_get_last_error;
        wrapper.xCurrentTimeInt64 = x_current_time_int64;
        if (sqlite3_vfs_register(&wrapper, 0) != SQLITE_OK) throw std::runtime_error("fault_vfs: cannot register");
        return new fault_vfs();  // lives as long as the process: SQLite keeps the VFS registered
    }();
    return *vfs;
}

void fault_vfs::arm(unsigned ops, long nth, fault kind) {
    ops_.store(0);
    seen_.store(0);
    injected_.store(0);
    nth_.store(nth);
    kind_.store(kind);
    ops_.store(kind == fault::disk_full ? ops & io::write : ops);  // a full disk still reads
}

void fault_vfs::disarm() { ops_.store(0); }

int fault_vfs::check(unsigned op) {
    if (!(ops_.load() & op)) return SQLITE_OK;
    const long n = ++seen_;
    const long nth = nth_.load();
    const auto kind = kind_.load();
    if (n == nth || (kind == fault::disk_full && n > nth)) {
        ++injected_;
        return injected_error(op, kind);
    }
    return SQLITE_OK;
}

}  // namespace test_support
