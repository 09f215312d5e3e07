// Faults: kill -9 under load, corrupt and foreign files, a full disk. Each checks that nothing
// acknowledged is lost and that the failure is reported in words an operator can act on.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <thread>

#include "datastore/sqlite/sqlite_store.h"
#include "datastore/sqlite/sqlite_util.h"
#include "lib/base/files.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::datastore {
namespace {

using namespace std::chrono_literals;

// Child process: writes from many threads and reports each acknowledged write on fd as one line
// "key revision value\n" (one write(2) < PIPE_BUF: lines never interleave). Never returns.
[[noreturn]] void WriteUntilKilled(const std::string& path, int fd) {
  SqliteOptions opts;
  opts.path = path;
  opts.synchronous_full = true;
  opts.compact_retain_revisions = 0;
  auto store = SqliteStore::Open(opts);
  if (!store.ok()) _exit(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      std::string key = "/crash/" + std::to_string(t);
      for (int i = 0;; ++i) {
        std::string value = "t" + std::to_string(t) + "-" + std::to_string(i) + std::string(200, 'x');
        auto r = i == 0 ? (*store)->Create(key, value) : (*store)->Update(key, value, 0);
        if (!r.ok() && r.error().code == ErrorCode::kAlreadyExists) r = (*store)->Update(key, value, 0);
        if (!r.ok()) _exit(4);
        std::string line = key + " " + std::to_string(r->mod_revision) + " " + value + "\n";
        if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
      }
    });
  }
  for (auto& t : threads) t.join();
  _exit(0);
}

TEST(SqliteFaultTest, KillNineUnderLoadLosesNoAcknowledgedWrite) {
  testutil::TempDir dir("k1s-crash");
  const std::string path = dir.File("state.db");
  std::map<std::pair<std::string, Revision>, std::string> acked;
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      WriteUntilKilled(path, fds[1]);
    }
    ::close(fds[1]);
    FILE* in = ::fdopen(fds[0], "r");
    ASSERT_NE(in, nullptr);
    char buf[1024];
    int lines = 0;
    const int kill_after = 300 + round * 400;
    while (std::fgets(buf, sizeof buf, in)) {
      std::istringstream ss(buf);
      std::string key, value;
      Revision rev;
      ss >> key >> rev >> value;
      acked[{key, rev}] = value;
      if (++lines == kill_after) ::kill(pid, SIGKILL);
    }
    std::fclose(in);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << status;
    ASSERT_GE(lines, kill_after);

    // Reopen after the crash: every acknowledged revision is there with its value.
    SqliteOptions opts;
    opts.path = path;
    opts.compact_retain_revisions = 0;
    auto store = SqliteStore::Open(opts);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    Revision max_acked = 0;
    for (const auto& [kr, value] : acked) {
      auto got = (*store)->Get(kr.first, kr.second);
      ASSERT_TRUE(got.ok()) << kr.first << "@" << kr.second << ": " << got.error().ToString();
      ASSERT_EQ(got->mod_revision, kr.second);
      ASSERT_EQ(got->value, value);
      max_acked = std::max(max_acked, kr.second);
    }
    EXPECT_GE((*store)->CurrentRevision(), max_acked);
    // The reopened store keeps working where the log ended.
    auto next = (*store)->Create("/after-crash-" + std::to_string(round), "ok");
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->mod_revision, (*store)->CurrentRevision());
    (*store)->Close();
  }
  EXPECT_GT(acked.size(), 1000u);
}

void ExpectOpenFailsWith(const std::string& path, const std::string& words) {
  SqliteOptions opts;
  opts.path = path;
  auto store = SqliteStore::Open(opts);
  ASSERT_FALSE(store.ok()) << "opened " << path;
  EXPECT_NE(store.error().message.find(words), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
}

TEST(SqliteFaultTest, GarbageFileIsReportedAtStartUp) {
  testutil::TempDir dir;
  std::string path = dir.File("state.db");
  ASSERT_TRUE(WriteFileAtomic(path, std::string(10000, '\x42')).ok());
  ExpectOpenFailsWith(path, "not a k1s database or is corrupt");
}

TEST(SqliteFaultTest, CorruptPagesAreReportedAtStartUp) {
  testutil::TempDir dir;
  std::string path = dir.File("state.db");
  {
    SqliteOptions opts;
    opts.path = path;
    opts.synchronous_full = false;
    auto store = SqliteStore::Open(opts);
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 500; ++i) ASSERT_TRUE((*store)->Create("/k/" + std::to_string(i), std::string(300, 'v')).ok());
    (*store)->Close();
  }
  auto data = ReadFile(path);
  ASSERT_TRUE(data.ok());
  ASSERT_GT(data->size(), 40000u);
  for (size_t i = 8192; i < 8192 + 3 * 4096; ++i) (*data)[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(WriteFileAtomic(path, *data).ok());
  SqliteOptions opts;
  opts.path = path;
  auto store = SqliteStore::Open(opts);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("corrupt"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("etcd-snapshot restore"), std::string::npos) << store.error().message;
}

TEST(SqliteFaultTest, ForeignSqliteDatabaseIsRefused) {
  testutil::TempDir dir;
  std::string path = dir.File("state.db");
  {
    Db db;
    ASSERT_TRUE(db.Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE).ok());
    ASSERT_TRUE(db.Exec("CREATE TABLE photos(id INTEGER)").ok());
  }
  ExpectOpenFailsWith(path, "not a k1s one");
}

TEST(SqliteFaultTest, DirectoryInPlaceOfDatabaseIsRefused) {
  testutil::TempDir dir;
  std::string path = dir.File("state.db");
  ASSERT_TRUE(MakeDirs(path).ok());
  ExpectOpenFailsWith(path, "not a regular file");
}

TEST(SqliteFaultTest, FullDiskFailsWritesClearlyAndKeepsAcknowledgedOnes) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  testutil::TempDir dir("k1s-full");
  std::string mnt = dir.File("mnt");
  ASSERT_TRUE(MakeDirs(mnt).ok());
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=2m") != 0) GTEST_SKIP() << "cannot mount tmpfs here";
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};

  std::string path = mnt + "/state.db";
  std::map<std::string, std::string> acked;
  Error failure;
  {
    SqliteOptions opts;
    opts.path = path;
    opts.compact_retain_revisions = 0;
    auto store = SqliteStore::Open(opts);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    for (int i = 0; i < 5000; ++i) {
      std::string key = "/full/" + std::to_string(i);
      std::string value(1000, static_cast<char>('a' + i % 26));
      auto r = (*store)->Create(key, value);
      if (!r.ok()) {
        failure = r.error();
        break;
      }
      acked[key] = value;
    }
    EXPECT_NE(failure.message.find("disk full"), std::string::npos) << failure.ToString();
    ASSERT_GT(acked.size(), 50u);
    // Reads still work while the disk is full.
    auto first = (*store)->Get("/full/0");
    ASSERT_TRUE(first.ok()) << first.error().ToString();
    (*store)->Close();
  }
  // Make room, reopen: everything acknowledged is there and writes work again.
  ASSERT_EQ(::mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT, "size=8m"), 0);
  SqliteOptions opts;
  opts.path = path;
  auto store = SqliteStore::Open(opts);
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  for (const auto& [key, value] : acked) {
    auto got = (*store)->Get(key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.error().ToString();
    ASSERT_EQ(got->value, value);
  }
  EXPECT_TRUE((*store)->Create("/full/after", "ok").ok());
  (*store)->Close();
}

}  // namespace
}  // namespace k1s::datastore
