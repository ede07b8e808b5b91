// Mapping plain structs: both reflection paths, table options, accessors.
#include "models/seed_models.hpp"
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

namespace {

// Everything the metadata says about a table, as text, so two mappings can
// be compared whole.
std::string dump(const alchemy::table_info& t) {
    std::string out = fmt::format("table {} struct {} autoincrement {}\n", t.name, t.struct_name, t.autoincrement);
    for (const auto& c : t.columns)
        out += fmt::format("  column {} member {} type {} nullable {} pk {} default {} client_default {}\n", c.name,
                           c.member, alchemy::to_string(c.type), c.nullable, c.primary_key,
                           c.server_default.value_or("-"), c.apply_default != nullptr);
    out += "  pk";
    for (auto k : t.primary_key) out += " " + t.columns[k].name;
    out += "\n";
    for (const auto& fk : t.foreign_keys) {
        out += fmt::format("  fk {} -> {}.{} on_delete {} on_update {}\n", t.columns[fk.columns[0]].name,
                           fk.target().name, fk.target().columns[fk.target_columns[0]].name,
                           alchemy::to_sql(fk.on_delete), alchemy::to_sql(fk.on_update));
    }
    for (const auto& u : t.uniques) {
        out += "  unique";
        for (auto c : u.columns) out += " " + t.columns[c].name;
        out += "\n";
    }
    for (const auto& ix : t.indexes) {
        out += fmt::format("  index {} unique {}", ix.name, ix.unique);
        for (auto c : ix.columns) out += " " + t.columns[c].name;
        out += "\n";
    }
    for (const auto& ck : t.checks) out += fmt::format("  check {} {}\n", ck.name, ck.sql);
    return out;
}

struct BlogPost {
    std::int64_t id = 0;
};
struct HTTPServerConfig {
    std::int64_t id = 0;
};

struct Account {
    std::int64_t id = 0;
    std::string owner{};
    std::optional<std::string> email{};
    std::optional<std::string> role{};
    std::optional<std::string> created{};
    double balance = 0;
    std::int32_t age = 0;
};
constexpr auto alchemy_table(Account*) {
    return alchemy::table("accounts", alchemy::autoincrement, alchemy::column_name(&Account::email, "email_address"),
                          alchemy::unique(&Account::owner, &Account::email), alchemy::index(&Account::age).unique().named("ux_age"),
                          alchemy::check("balance >= 0").named("ck_balance"), alchemy::check("age < 200"),
                          alchemy::server_default(&Account::created, "CURRENT_TIMESTAMP"),
                          alchemy::default_value(&Account::role, "member"));
}

struct Counter {
    std::int64_t id = 0;
    std::optional<std::int64_t> hits{};
};
constexpr std::int64_t ten() { return 10; }
constexpr auto alchemy_table(Counter*) { return alchemy::table("counters", alchemy::default_value(&Counter::hits, &ten)); }

struct Twice {
    std::int64_t id = 0;
    std::string a{};
    std::string b{};
};
constexpr auto alchemy_table(Twice*) { return alchemy::table("twice", alchemy::column_name(&Twice::b, "a")); }

struct Node {
    std::int64_t id = 0;
    std::optional<std::int64_t> parent_id{};
};
constexpr auto alchemy_table(Node*) {
    return alchemy::table("nodes", alchemy::foreign_key(&Node::parent_id, &Node::id).on_delete(alchemy::fk_action::set_null));
}

}  // namespace

TEST_CASE("a described struct and a plain aggregate map to identical metadata", "[mapping]") {
    CHECK(dump(alchemy::table_of<described::User>()) == dump(alchemy::table_of<plain::User>()));
    CHECK(dump(alchemy::table_of<described::Post>()) == dump(alchemy::table_of<plain::Post>()));
    CHECK(dump(alchemy::table_of<described::Course>()) == dump(alchemy::table_of<plain::Course>()));
    CHECK(dump(alchemy::table_of<described::Student>()) == dump(alchemy::table_of<plain::Student>()));
    CHECK(dump(alchemy::table_of<described::Enrollment>()) == dump(alchemy::table_of<plain::Enrollment>()));
}

TEST_CASE("the seed's models map to the expected tables", "[mapping]") {
    const auto& users = alchemy::table_of<plain::User>();
    CHECK(dump(users) ==
          "table users struct User autoincrement false\n"
          "  column id member id type INTEGER nullable false pk true default - client_default false\n"
          "  column name member name type TEXT nullable false pk false default - client_default false\n"
          "  column email member email type TEXT nullable true pk false default - client_default false\n"
          "  pk id\n"
          "  unique name\n");
    CHECK(users.has_integer_key());

    const auto& posts = alchemy::table_of<described::Post>();
    CHECK(dump(posts) ==
          "table posts struct Post autoincrement false\n"
          "  column id member id type INTEGER nullable false pk true default - client_default false\n"
          "  column title member title type TEXT nullable false pk false default - client_default false\n"
          "  column user_id member user_id type INTEGER nullable true pk false default - client_default false\n"
          "  pk id\n"
          "  fk user_id -> users.id on_delete CASCADE on_update NO ACTION\n"
          "  index ix_posts_user_id unique false user_id\n");

    const auto& enrollments = alchemy::table_of<plain::Enrollment>();
    REQUIRE(enrollments.primary_key == std::vector<std::size_t>{0, 1});
    CHECK_FALSE(enrollments.has_integer_key());
    REQUIRE(enrollments.foreign_keys.size() == 2);
    CHECK(enrollments.foreign_keys[0].target().name == "students");
    CHECK(enrollments.foreign_keys[1].target().name == "courses");
}

TEST_CASE("table options: names, keys, constraints and defaults", "[mapping]") {
    const auto& t = alchemy::table_of<Account>();
    CHECK(dump(t) ==
          "table accounts struct Account autoincrement true\n"
          "  column id member id type INTEGER nullable false pk true default - client_default false\n"
          "  column owner member owner type TEXT nullable false pk false default - client_default false\n"
          "  column email_address member email type TEXT nullable true pk false default - client_default false\n"
          "  column role member role type TEXT nullable true pk false default - client_default true\n"
          "  column created member created type TEXT nullable true pk false default CURRENT_TIMESTAMP client_default false\n"
          "  column balance member balance type REAL nullable false pk false default - client_default false\n"
          "  column age member age type INTEGER nullable false pk false default - client_default false\n"
          "  pk id\n"
          "  unique owner email_address\n"
          "  index ux_age unique true age\n"
          "  check ck_balance balance >= 0\n"
          "  check  age < 200\n");
    CHECK(t.column("email_address").member == "email");
    CHECK(t.find_column("email") == nullptr);
    REQUIRE_THROWS_AS(t.column("nope"), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(t.column("nope"), Catch::Contains("table 'accounts'") && Catch::Contains("'nope'"));
}

TEST_CASE("without options a struct is named in snake_case and keyed by its member id", "[mapping]") {
    CHECK(alchemy::table_of<BlogPost>().name == "blog_post");
    CHECK(alchemy::table_of<HTTPServerConfig>().name == "http_server_config");
    CHECK(alchemy::table_of<BlogPost>().primary_key == std::vector<std::size_t>{0});
}

TEST_CASE("a self-referential foreign key resolves to its own table", "[mapping]") {
    const auto& nodes = alchemy::table_of<Node>();
    REQUIRE(nodes.foreign_keys.size() == 1);
    CHECK(&nodes.foreign_keys[0].target() == &nodes);
    CHECK(nodes.foreign_keys[0].on_delete == alchemy::fk_action::set_null);
}

TEST_CASE("two members mapped to one column name are refused", "[mapping]") {
    REQUIRE_THROWS_AS(alchemy::table_of<Twice>(), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(alchemy::table_of<Twice>(),
                        Catch::Contains("two members to the column 'a'") && Catch::Contains("'twice'"));
}

TEST_CASE("client-side defaults fill only empty optional members", "[mapping]") {
    const auto& t = alchemy::table_of<Account>();
    Account empty{};
    t.column("role").apply_default(&empty);
    CHECK(empty.role == "member");
    Account set{};
    set.role = "admin";
    t.column("role").apply_default(&set);
    CHECK(set.role == "admin");

    Counter c{};
    alchemy::table_of<Counter>().column("hits").apply_default(&c);
    CHECK(c.hits == 10);
}

TEST_CASE("column accessors bind and read members through the database", "[mapping]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();
    const auto& t = alchemy::table_of<plain::User>();

    plain::User alice{7, "Alice", std::nullopt};
    std::vector<alchemy::value> bound;
    alchemy::detail::value_recorder recorder(bound);
    for (const auto& c : t.columns) c.bind(recorder, &alice);
    REQUIRE(bound.size() == 3);
    CHECK(bound[0] == alchemy::value(std::int64_t{7}));
    CHECK(bound[1] == alchemy::value(std::string("Alice")));
    CHECK(bound[2].is_null());

    plain::User read{};
    auto result = conn.execute("SELECT 42, 'Bob', 'bob@example.com'");
    auto row = result.current();
    for (std::size_t i = 0; i < t.columns.size(); ++i) t.columns[i].read(row[i], &read);
    CHECK(read.id == 42);
    CHECK(read.name == "Bob");
    CHECK(read.email == "bob@example.com");

    auto nulls = conn.execute("SELECT NULL");
    REQUIRE_THROWS_AS(t.column("name").read(nulls.current()[0], &read), alchemy::ConversionError);
    CHECK(read.name == "Bob");  // unchanged by the failed read
    t.column("email").read(nulls.current()[0], &read);
    CHECK_FALSE(read.email.has_value());
}
