// tests/support/fault_vfs.hpp — a SQLite VFS that fails the N-th read, write
// or sync, in the spirit of SQLite's own I/O-error tests.
//
// It wraps the default VFS and passes everything through until armed. Armed,
// it counts the operations of the chosen kinds (on every file: database,
// rollback journal, WAL) and fails the N-th: once (a transient I/O error), or
// that one and every later one (a disk that stays full). An engine uses it
// through sqlite::options::vfs = test_support::fault_vfs::name.
//
//   auto& vfs = test_support::fault_vfs::get();
//   vfs.arm(test_support::io::write, 3, test_support::fault::disk_full);
//   session.commit();   // the 3rd write from here on fails with SQLITE_FULL
//   vfs.disarm();
#pragma once

#include <atomic>

namespace test_support {

/// The operations a fault can hit (a bit mask).
namespace io {
inline constexpr unsigned read = 1;
inline constexpr unsigned write = 2;  // xWrite and xTruncate
inline constexpr unsigned sync = 4;
inline constexpr unsigned all = read | write | sync;
}  // namespace io

enum class fault {
    io_error,   ///< SQLITE_IOERR_READ / _WRITE / _FSYNC / _TRUNCATE, once
    disk_full,  ///< SQLITE_FULL on writes, from the N-th on until disarmed
};

class fault_vfs {
public:
    static constexpr const char* name = "alchemy-fault";

    /// The VFS, registered (not as the default) on first use.
    static fault_vfs& get();

    /// From now on counts the operations in `ops` and fails the `nth`
    /// (1-based); a full disk counts (and fails) only writes.
    void arm(unsigned ops, long nth, fault kind);
    /// Passes everything through again; the counts stay readable.
    void disarm();

    /// Operations of the armed kinds seen since arm().
    long seen() const { return seen_.load(); }
    /// Failures injected since arm().
    long injected() const { return injected_.load(); }

    /// Called by the wrapped file methods: SQLITE_OK, or the error to return.
    int check(unsigned op);

private:
    fault_vfs() = default;

    std::atomic<unsigned> ops_{0};
    std::atomic<long> nth_{0};
    std::atomic<fault> kind_{fault::io_error};
    std::atomic<long> seen_{0};
    std::atomic<long> injected_{0};
};

}  // namespace test_support
