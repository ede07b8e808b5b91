// fuzz_text — raw SQL and its parameters: session.execute(text(...)),
// connection.execute and execute_values, and query<T>().from_statement.
//
// Each input chooses an SQL text (one of a few prefixes followed by fuzz
// bytes, or a "SELECT <placeholders>" the harness writes itself), up to four
// parameters (values of every storage class: NaN, infinities, text with NUL
// bytes and invalid UTF-8, BLOBs), positional or named (the names fuzz bytes
// too), and which of the calls runs it. The statement runs in its own
// transaction, which is rolled back.
//
// Allowed outcomes: a result whose rows can be read, or an alchemy::Error
// subclass. Before running, the harness prepares the same text with raw
// sqlite3 and so knows what SQLite sees; from that it requires:
//   * text with a NUL byte (SQLite would ignore the rest): ArgumentError;
//   * text SQLite cannot prepare: a DBAPIError;
//   * text with no statement: ArgumentError; more than one statement:
//     ProgrammingError;
//   * parameters that do not fit (count; a name the statement does not
//     have; a parameter of the statement left without a value): a
//     ProgrammingError, never a result;
//   * parameters that fit: a result, a DBAPIError (the statement failed),
//     or a ConversionError when a value cannot be bound (NaN, a uint64
//     above INT64_MAX, a date outside 0000-9999), or for from_statement an
//     ArgumentError (a missing column) or ConversionError (a value);
//   * "SELECT <placeholders>" with parameters that fit: one row holding
//     exactly the values bound (a typed parameter read back as its own C++
//     type; a NaN is refused at bind, as a double, a float or an
//     alchemy::value, since SQLite would store it as NULL).
// Any other exception, a crash or a sanitizer report is a finding.
//
// So that inputs stay cheap and cannot change what later inputs see, the
// one pooled connection gets sqlite3_limit()s (1 MB values, no ATTACH, ...),
// a progress handler that interrupts a statement after about 250,000 VM
// steps, in-memory temp storage, and an authorizer that refuses PRAGMA,
// ATTACH and DETACH.
#include "fuzz_support.hpp"

#include <alchemy/alchemy.hpp>

#include <boost/describe.hpp>
#include <fmt/core.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

using fuzz_support::escaped;
using fuzz_support::finding;
using fuzz_support::run_allowing;

namespace fuzz_text {

enum class suit : std::int8_t { clubs = 1, spades = -4 };

struct item {
    std::int64_t id = 0;
    std::optional<std::string> name{};
    std::optional<double> score{};
};
BOOST_DESCRIBE_STRUCT(item, (), (id, name, score))
constexpr auto alchemy_table(item*) { return alchemy::table("item"); }

// ---------------------------------------------------------------------------
// The process-wide database: one pooled connection, fenced in.

struct fixture {
    alchemy::engine engine = alchemy::create_engine(
        "sqlite://", {.pool_size = 1, .max_overflow = 0, .pool_timeout = std::chrono::milliseconds(100)});
    sqlite3* db = nullptr;
    bool armed = false;      // the progress handler interrupts only while a fuzzed statement runs
    int progress_calls = 0;  // since it was armed

    fixture() {
        alchemy::metadata<item>().create_all(engine);
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (a, b)");
        conn.execute("INSERT INTO t VALUES (1, 'one'), (2, x'00ff'), (NULL, 2.5), ('2024-02-29', -1)");
        conn.execute("INSERT INTO item (id, name, score) VALUES (1, 'a', 0.5), (2, NULL, NULL), (3, 'c', 1e308)");
        conn.execute("PRAGMA temp_store = MEMORY");
        conn.commit();
        db = alchemy::sqlite::native_handle(conn);
        sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1'000'000);
        sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100'000);
        sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 100);
        sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
        sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 20);
        sqlite3_limit(db, SQLITE_LIMIT_VDBE_OP, 25'000);
        sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 8);
        sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
        sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 100);
        sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 100);
        sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 10);
        sqlite3_progress_handler(db, 64, &fixture::on_progress, this);
        sqlite3_set_authorizer(db, &fixture::authorize, nullptr);
    }

    static int on_progress(void* self) {
        auto& fx = *static_cast<fixture*>(self);
        return fx.armed && ++fx.progress_calls > 4'000 ? 1 : 0;
    }
    static int authorize(void*, int action, const char*, const char*, const char*, const char*) {
        switch (action) {
            case SQLITE_PRAGMA:
            case SQLITE_ATTACH:
            case SQLITE_DETACH: return SQLITE_DENY;
            default: return SQLITE_OK;
        }
    }
};

fixture& the_fixture() {
    static fixture* f = new fixture();  // for the life of the process (reachable, so not a leak)
    return *f;
}

// Arms the progress handler while a fuzzed statement and its rows run, and
// only then: the ROLLBACK that ends the input must never be interrupted.
class armed_scope {
public:
    explicit armed_scope(fixture& fx) : fx_(fx) {
        fx_.armed = true;
        fx_.progress_calls = 0;
    }
    armed_scope(const armed_scope&) = delete;
    armed_scope& operator=(const armed_scope&) = delete;
    ~armed_scope() { fx_.armed = false; }

private:
    fixture& fx_;
};

// ---------------------------------------------------------------------------
// What SQLite sees in the text: the oracle.

struct statement_shape {
    bool has_nul = false;        // a NUL byte in the text
    int prepare_rc = SQLITE_OK;  // of the first statement
    bool has_statement = false;
    bool more_statements = false;           // anything after the first statement
    int parameter_count = 0;
    std::vector<std::string> parameter_names;  // "" for an anonymous one, else with its prefix
};

statement_shape shape_of(fixture& fx, std::string_view sql) {
    statement_shape out;
    // SQLite stops reading at a NUL byte; alchemy refuses such text.
    out.has_nul = sql.find('\0') != std::string_view::npos;
    if (out.has_nul) return out;
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    out.prepare_rc = sqlite3_prepare_v2(fx.db, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
    if (out.prepare_rc != SQLITE_OK) return out;
    out.has_statement = stmt != nullptr;
    if (stmt) {
        out.parameter_count = sqlite3_bind_parameter_count(stmt);
        for (int i = 1; i <= out.parameter_count; ++i) {
            const char* name = sqlite3_bind_parameter_name(stmt, i);
            out.parameter_names.emplace_back(name ? name : "");
        }
        sqlite3_finalize(stmt);
    }
    // Whatever follows: another statement, or text SQLite cannot prepare.
    const char* end = sql.data() + sql.size();
    while (tail && tail < end) {
        sqlite3_stmt* extra = nullptr;
        const char* next = nullptr;
        const int rc = sqlite3_prepare_v2(fx.db, tail, static_cast<int>(end - tail), &extra, &next);
        const bool found = extra != nullptr;
        sqlite3_finalize(extra);
        if (rc != SQLITE_OK || found) {
            out.more_statements = true;
            break;
        }
        if (next == tail) break;
        tail = next;
    }
    return out;
}

// Whether named parameters fit the statement: every name resolves to one of
// its parameters (':name', '@name' or '$name', in that order, as documented)
// and every parameter of the statement gets a value.
bool names_fit(const statement_shape& shape, std::span<const std::string> names) {
    if (static_cast<std::size_t>(shape.parameter_count) != names.size()) return false;
    std::set<std::size_t> bound;
    for (const auto& name : names) {
        std::size_t found = shape.parameter_names.size();
        for (char prefix : {':', '@', '$'}) {
            const std::string key = prefix + name;
            for (std::size_t i = 0; i < shape.parameter_names.size() && found == shape.parameter_names.size(); ++i)
                if (shape.parameter_names[i] == key) found = i;
            if (found != shape.parameter_names.size()) break;
        }
        if (found == shape.parameter_names.size()) return false;
        bound.insert(found);
    }
    return bound.size() == shape.parameter_names.size();
}

// ---------------------------------------------------------------------------
// Turning the input into SQL text and parameters.

std::int64_t pick_integer(FuzzedDataProvider& in) {
    static constexpr std::int64_t special[] = {std::numeric_limits<std::int64_t>::min(),
                                               std::numeric_limits<std::int64_t>::max(), 0, 1, -1, 2, 255, 65536,
                                               std::int64_t{1} << 53};
    if (in.ConsumeBool()) return special[in.ConsumeIntegralInRange<std::size_t>(0, std::size(special) - 1)];
    return in.ConsumeIntegral<std::int64_t>();
}

double pick_real(FuzzedDataProvider& in) {
    static constexpr double inf = std::numeric_limits<double>::infinity();
    static const double special[] = {0.0, -0.0, 2.5, inf, -inf, std::numeric_limits<double>::quiet_NaN(),
                                     std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                                     1e39};
    if (in.ConsumeBool()) return special[in.ConsumeIntegralInRange<std::size_t>(0, std::size(special) - 1)];
    return std::bit_cast<double>(in.ConsumeIntegral<std::uint64_t>());
}

alchemy::value pick_value(FuzzedDataProvider& in) {
    switch (in.ConsumeIntegralInRange(0, 4)) {
        case 0: return alchemy::value();
        case 1: return alchemy::value(pick_integer(in));
        case 2: return alchemy::value(pick_real(in));
        case 3: return alchemy::value(in.ConsumeRandomLengthString(32));
        default: {
            const std::string b = in.ConsumeRandomLengthString(32);
            const auto* p = reinterpret_cast<const std::byte*>(b.data());
            return alchemy::value(std::vector<std::byte>(p, p + b.size()));
        }
    }
}

std::string pick_name(FuzzedDataProvider& in) {
    static const char* const names[] = {"a", "b", "c", "x", "p0", "p1", "p2", "p3"};
    if (in.ConsumeIntegralInRange(0, 3) == 0) return in.ConsumeRandomLengthString(8);
    return names[in.ConsumeIntegralInRange<std::size_t>(0, std::size(names) - 1)];
}

std::string pick_sql(FuzzedDataProvider& in) {
    static const char* const prefixes[] = {
        "SELECT ",
        "SELECT ?, ",
        "SELECT :a, @b, $c",
        "SELECT :a, @a",
        "SELECT ?1, ?2, ?1",
        "SELECT ?3",
        "SELECT typeof(?), ?",
        "SELECT * FROM t WHERE a = ?",
        "SELECT a, b FROM t ORDER BY ",
        "SELECT id, name, score FROM item WHERE id > :a",
        "SELECT * FROM item",
        "INSERT INTO t (a, b) VALUES (?, ?)",
        "INSERT INTO item (id, name, score) VALUES (:a, :b, :c) RETURNING ",
        "UPDATE t SET b = :b WHERE a = :a",
        "DELETE FROM t WHERE a = ?",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c",
        "SELECT 1; ",
        "",
        "-- nothing\n",
        "CREATE TABLE ",
        "COMMIT",
        "BEGIN",
        "SAVEPOINT s",
    };
    std::string sql = prefixes[in.ConsumeIntegralInRange<std::size_t>(0, std::size(prefixes) - 1)];
    sql += in.ConsumeRandomLengthString(160);
    return sql;
}

// The harness's own "SELECT <placeholders>" for n parameters: positional,
// numbered, or named with the given names.
std::string select_placeholders(FuzzedDataProvider& in, std::size_t n, std::span<const std::string> names) {
    std::string sql = "SELECT ";
    const bool numbered = names.empty() && in.ConsumeBool();
    for (std::size_t i = 0; i < n; ++i) {
        if (i) sql += ", ";
        if (!names.empty()) sql += std::string(1, ":@$"[in.ConsumeIntegralInRange(0, 2)]) + names[i];
        else if (numbered) sql += fmt::format("?{}", i + 1);
        else sql += '?';
    }
    if (n == 0) sql += "1";
    return sql;
}

// ---------------------------------------------------------------------------
// Running and judging.

enum class call { session_execute, connection_execute, connection_execute_values, from_statement };

constexpr std::string_view call_name(call c) {
    switch (c) {
        case call::session_execute: return "session.execute(text(...))";
        case call::connection_execute: return "connection.execute";
        case call::connection_execute_values: return "connection.execute_values";
        case call::from_statement: return "query<item>().from_statement";
    }
    return "?";
}

// Calls f with the parameters unpacked (at most four).
template <class P, class F>
decltype(auto) unpacked(const std::vector<P>& p, F&& f) {
    switch (p.size()) {
        case 0: return f();
        case 1: return f(p[0]);
        case 2: return f(p[0], p[1]);
        case 3: return f(p[0], p[1], p[2]);
        default: return f(p[0], p[1], p[2], p[3]);
    }
}

// Reads column i as T; only ConversionError (the value does not fit T) is allowed.
template <class T>
void read_as(const alchemy::row& row, std::size_t i) {
    run_allowing<alchemy::ConversionError>("row.get<T>(i)", [&] { static_cast<void>(row.get<T>(i)); });
}

// Reads every row of `r` (at most 64) through the getters; only
// ConversionError (a value that does not fit the type asked for) is allowed.
// Returns the first row's values.
std::vector<alchemy::value> read_rows(alchemy::result& r) {
    std::vector<alchemy::value> first;
    for (int n = 0; n < 64 && r.has_row(); ++n) {
        const alchemy::row row = r.current();
        const auto values = row.values();
        if (n == 0) first = values;
        for (std::size_t i = 0; i < row.size(); ++i) {
            const std::string name(row.name(i));
            const std::size_t at = row.index(name);
            if (at > i || row.name(at) != name)
                finding(fmt::format("row.index('{}') is {}, but column {} has that name", escaped(name), at, i));
            if (!(row.get<alchemy::value>(name) == values[at]))
                finding(fmt::format("row.get<value>('{}') differs from row.values()[{}]", escaped(name), at));
            static_cast<void>(row[i].describe());
            read_as<std::int64_t>(row, i);
            read_as<double>(row, i);
            read_as<std::string>(row, i);
            read_as<std::optional<bool>>(row, i);
            read_as<std::chrono::sys_days>(row, i);
        }
        r.next();
    }
    static_cast<void>(r.columns());
    return first;
}

// Whether a value holds a NaN, which binding refuses (SQLite would store NULL).
bool holds_nan(const alchemy::value& v) {
    const auto* d = std::get_if<double>(&v.get());
    return d && std::isnan(*d);
}

// Checks an outcome against the shape of the statement. `fit`: the
// parameters fit it; `unbindable`: some parameter cannot be bound.
struct expectation {
    statement_shape shape;
    bool fit = false;
    bool unbindable = false;
};

std::string describe(std::string_view sql, const expectation& e) {
    return fmt::format("SQL '{}' (NUL byte {}, prepare rc {}, statement {}, more {}, {} parameter(s), parameters "
                       "fit: {})",
                       escaped(sql), e.shape.has_nul, e.shape.prepare_rc, e.shape.has_statement,
                       e.shape.more_statements, e.shape.parameter_count, e.fit);
}

void judge_error(call c, std::string_view sql, const expectation& e, const alchemy::Error& error) {
    const auto fail = [&](std::string_view why) {
        finding(fmt::format("{}: {}: {} [{}]", call_name(c), describe(sql, e), why, error.what()));
    };
    const bool dbapi = dynamic_cast<const alchemy::DBAPIError*>(&error) != nullptr;
    const bool programming = dynamic_cast<const alchemy::ProgrammingError*>(&error) != nullptr;
    const bool argument = dynamic_cast<const alchemy::ArgumentError*>(&error) != nullptr;
    const bool conversion = dynamic_cast<const alchemy::ConversionError*>(&error) != nullptr;
    if (e.shape.has_nul) {
        if (!argument) fail("the text holds a NUL byte: expected ArgumentError");
        return;
    }
    if (e.shape.prepare_rc != SQLITE_OK) {
        if (!dbapi) fail("SQLite cannot prepare the text: expected a DBAPIError");
        return;
    }
    if (!e.shape.has_statement) {
        if (!argument) fail("the text holds no statement: expected ArgumentError");
        return;
    }
    if (e.shape.more_statements) {
        if (!programming) fail("the text holds more than one statement: expected ProgrammingError");
        return;
    }
    if (!e.fit) {
        // A value that cannot be bound may be refused before a later name is looked up.
        if (!programming && !(conversion && e.unbindable)) fail("the parameters do not fit: expected ProgrammingError");
        return;
    }
    if (conversion && !e.unbindable && c != call::from_statement) fail("ConversionError, but every value can be bound");
    if (argument && c != call::from_statement) fail("ArgumentError for a statement whose parameters fit");
}

void judge_success(call c, std::string_view sql, const expectation& e) {
    if (e.shape.has_nul || e.shape.prepare_rc != SQLITE_OK || !e.shape.has_statement || e.shape.more_statements ||
        !e.fit)
        finding(fmt::format("{}: {}: ran, but it must have been refused", call_name(c), describe(sql, e)));
    if (e.unbindable)
        finding(fmt::format("{}: {}: ran, but a parameter cannot be bound", call_name(c), describe(sql, e)));
}

// Runs `run` (which returns the first row's values, or nothing) and judges
// what happened. `expected_row`: the values "SELECT <placeholders>" must give.
template <class Run>
void check(fixture& fx, call c, const std::string& sql, const expectation& e, Run&& run,
           const std::optional<std::vector<alchemy::value>>& expected_row = std::nullopt) {
    std::optional<std::vector<alchemy::value>> row;
    bool ok = false;
    {
        armed_scope armed(fx);
        ok = run_allowing<alchemy::Error>(call_name(c), [&] { row = run(); }, [&](const alchemy::Error& error) {
            fuzz_support::trace("{}", escaped(error.what()));
            judge_error(c, sql, e, error);
        });
    }
    fuzz_support::trace("{}: SQL '{}': {}", call_name(c), escaped(sql), ok ? "ran" : "refused");
    if (!ok) return;
    judge_success(c, sql, e);
    if (expected_row && row && *row != *expected_row) {
        std::string got, want;
        for (const auto& v : *row) got += alchemy::format_value(v, 40) + " ";
        for (const auto& v : *expected_row) want += alchemy::format_value(v, 40) + " ";
        finding(fmt::format("{}: {}: read back ({}), bound ({})", call_name(c), escaped(sql), escaped(got),
                            escaped(want)));
    }
}

// One statement, positional or named parameters of alchemy::value, through
// one of the four calls.
void run_values(fixture& fx, FuzzedDataProvider& in, bool placeholders) {
    const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, 4);
    const bool named = in.ConsumeBool();
    std::vector<std::string> names;
    std::vector<alchemy::value> values;
    for (std::size_t i = 0; i < n; ++i) {
        if (named) names.push_back(placeholders ? fmt::format("p{}", i) : pick_name(in));
        values.push_back(pick_value(in));
    }
    const call c = static_cast<call>(in.ConsumeIntegralInRange(0, 3));
    const std::string sql = placeholders ? select_placeholders(in, n, names) : pick_sql(in);

    expectation e;
    e.shape = shape_of(fx, sql);
    e.fit = named && c != call::connection_execute_values ? names_fit(e.shape, names)
                                                          : static_cast<std::size_t>(e.shape.parameter_count) == n;
    e.unbindable = std::any_of(values.begin(), values.end(), holds_nan);
    std::optional<std::vector<alchemy::value>> expected_row;
    if (placeholders && c != call::from_statement) {
        expected_row.emplace();
        for (const auto& v : values) expected_row->push_back(v);
        if (n == 0) expected_row->push_back(alchemy::value(std::int64_t{1}));
    }

    std::vector<alchemy::named_parameter<alchemy::value>> params;
    for (std::size_t i = 0; i < names.size(); ++i) params.push_back(alchemy::param(names[i], values[i]));

    switch (c) {
        case call::session_execute: {
            auto session = alchemy::sessionmaker(fx.engine)();
            check(fx, c, sql, e, [&] {
                const auto run = [&](const auto&... p) { return session.execute(alchemy::text(sql), p...); };
                auto r = named ? unpacked(params, run) : unpacked(values, run);
                return read_rows(r);
            }, expected_row);
            break;
        }
        case call::connection_execute: {
            auto conn = fx.engine.connect();
            check(fx, c, sql, e, [&] {
                const auto run = [&](const auto&... p) { return conn.execute(sql, p...); };
                auto r = named ? unpacked(params, run) : unpacked(values, run);
                return read_rows(r);
            }, expected_row);
            break;
        }
        case call::connection_execute_values: {
            auto conn = fx.engine.connect();
            check(fx, c, sql, e, [&] {
                auto r = conn.execute_values(sql, values);
                return read_rows(r);
            }, expected_row);
            break;
        }
        case call::from_statement: {
            auto session = alchemy::sessionmaker(fx.engine)();
            check(fx, c, sql, e, [&] {
                const auto run = [&](const auto&... p) {
                    return session.query<item>().from_statement(alchemy::text(sql), p...);
                };
                const auto objects = named ? unpacked(params, run) : unpacked(values, run);
                for (const auto& o : objects) static_cast<void>(std::as_const(o)->name);
                return std::vector<alchemy::value>{};
            });
            break;
        }
    }
}

// One typed parameter (every parameter type alchemy binds) through
// connection.execute, positional or named; with "SELECT ?" it must read
// back as its own type.
using typed_parameter =
    std::variant<std::int64_t, std::int8_t, std::uint64_t, bool, double, float, std::string, std::string_view,
                 const char*, std::vector<std::byte>, std::optional<std::int32_t>, std::nullptr_t, std::nullopt_t,
                 std::chrono::sys_days, std::chrono::system_clock::time_point, std::chrono::sys_seconds, suit,
                 alchemy::value>;

typed_parameter pick_typed(FuzzedDataProvider& in, const std::string& text) {
    using namespace std::chrono;
    switch (in.ConsumeIntegralInRange(0, 17)) {
        case 0: return pick_integer(in);
        case 1: return in.ConsumeIntegral<std::int8_t>();
        case 2: return in.ConsumeIntegral<std::uint64_t>();
        case 3: return in.ConsumeBool();
        case 4: return pick_real(in);
        case 5: return std::bit_cast<float>(in.ConsumeIntegral<std::uint32_t>());
        case 6: return text;
        case 7: return std::string_view(text);
        case 8: return text.c_str();
        case 9: {
            const auto* p = reinterpret_cast<const std::byte*>(text.data());
            return std::vector<std::byte>(p, p + text.size());
        }
        case 10:
            if (in.ConsumeBool()) return std::optional<std::int32_t>(in.ConsumeIntegral<std::int32_t>());
            return std::optional<std::int32_t>();
        case 11: return nullptr;
        case 12: return typed_parameter(std::in_place_type<std::nullopt_t>, std::nullopt);
        case 13: return sys_days{days{in.ConsumeIntegralInRange(-1'000'000, 3'000'000)}};
        case 14: return system_clock::time_point{system_clock::duration{in.ConsumeIntegral<std::int64_t>()}};
        case 15: return static_cast<suit>(in.ConsumeIntegral<std::int8_t>());
        case 16:  // anywhere, or about the years 0000-9999
            if (in.ConsumeBool()) return sys_seconds{seconds{in.ConsumeIntegral<std::int64_t>()}};
            return sys_seconds{seconds{in.ConsumeIntegralInRange<std::int64_t>(-70'000'000'000, 260'000'000'000)}};
        default: return pick_value(in);
    }
}

// Whether binding `p` must fail with ConversionError (documented refusals).
bool unbindable(const typed_parameter& p) {
    using namespace std::chrono;
    return std::visit(
        [](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::uint64_t>)
                return v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
            else if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
            else if constexpr (std::is_same_v<T, alchemy::value>) return holds_nan(v);
            else if constexpr (std::is_same_v<T, sys_days> || std::is_same_v<T, system_clock::time_point> ||
                               std::is_same_v<T, sys_seconds>) {
                const sys_days day = floor<days>(v);
                return day < sys_days{year{0} / 1 / 1} || day > sys_days{year{9999} / 12 / 31};
            } else return false;
        },
        p);
}

// The value "SELECT ?" must read back for `p`, as its own type.
template <class T>
auto read_type(const T& v) {
    if constexpr (std::is_same_v<T, std::string_view> || std::is_same_v<T, const char*>) return std::string(v);
    else if constexpr (std::is_same_v<T, std::nullptr_t> || std::is_same_v<T, std::nullopt_t>)
        return std::optional<std::int64_t>();
    else return v;
}

void run_typed(fixture& fx, FuzzedDataProvider& in) {
    const std::string text = in.ConsumeRandomLengthString(32);
    const typed_parameter p = pick_typed(in, text);
    const bool named = in.ConsumeBool();
    const std::string name = named ? pick_name(in) : std::string();
    const bool placeholder = in.ConsumeBool();
    const std::string sql = placeholder ? (named ? ":" + name : "SELECT ?") : pick_sql(in);
    const std::string full_sql = placeholder && named ? "SELECT " + sql : sql;

    expectation e;
    e.shape = shape_of(fx, full_sql);
    const std::string names[] = {name};
    e.fit = named ? names_fit(e.shape, names) : e.shape.parameter_count == 1;
    e.unbindable = unbindable(p);

    auto conn = fx.engine.connect();
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            std::optional<std::decay_t<decltype(read_type(v))>> got;
            check(fx, call::connection_execute, full_sql, e, [&] {
                auto r = named ? conn.execute(full_sql, alchemy::param(name, v)) : conn.execute(full_sql, v);
                if (placeholder && r.has_row())
                    got = r.current().template get<std::decay_t<decltype(read_type(v))>>(0);
                return read_rows(r);
            });
            if (!got) return;
            const auto want = read_type(v);  // a const char* up to its first NUL
            if constexpr (std::is_floating_point_v<T>) {
                if (std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(*got) !=
                    std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(want))
                    finding(fmt::format("SELECT ? with {} read back as {}", want, *got));
            } else if constexpr (std::is_same_v<T, alchemy::value>) {
                if (!(*got == want))
                    finding(fmt::format("SELECT ? with {} read back as {}", escaped(alchemy::format_value(want)),
                                        escaped(alchemy::format_value(*got))));
            } else {
                if (!(*got == want))
                    finding(fmt::format("SELECT ? with a {} did not read back equal", alchemy::detail::type_name<T>()));
            }
        },
        p);
}

}  // namespace fuzz_text

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace fuzz_text;
    fixture& fx = the_fixture();
    FuzzedDataProvider in(data, size);
    switch (in.ConsumeIntegralInRange(0, 2)) {
        case 0: run_values(fx, in, false); break;
        case 1: run_values(fx, in, true); break;
        default: run_typed(fx, in); break;
    }
    return 0;
}
