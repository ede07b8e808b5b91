// Server URLs (postgresql://...): their parts, percent-decoding, the query,
// render() and the password kept out of every message. url_test.cpp has the
// SQLite forms.
#include <alchemy/url.hpp>

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("parse_url: a PostgreSQL URL gives user, password, host, port, database and query", "[url]") {
    const auto u =
        alchemy::parse_url("postgresql://scott:tiger@db.example.com:5433/test?connect_timeout=5&application_name=app");
    CHECK(u.dialect == "postgresql");
    CHECK(u.username == "scott");
    CHECK(u.password == "tiger");
    CHECK(u.host == "db.example.com");
    REQUIRE(u.port);
    CHECK(*u.port == 5433);
    CHECK(u.database == "test");
    using q = std::vector<std::pair<std::string, std::string>>;
    CHECK(u.query == q{{"connect_timeout", "5"}, {"application_name", "app"}});
    CHECK(u.query_value("connect_timeout") == "5");
    CHECK_FALSE(u.query_value("sslmode"));
}

TEST_CASE("parse_url: every part of a server URL may be left out", "[url]") {
    const auto bare = alchemy::parse_url("postgresql://");
    CHECK(bare.dialect == "postgresql");
    CHECK(bare.username.empty());
    CHECK(bare.password.empty());
    CHECK(bare.host.empty());
    CHECK_FALSE(bare.port);
    CHECK(bare.database.empty());
    CHECK(bare.query.empty());

    const auto socket = alchemy::parse_url("postgresql:///app?host=/var/run/postgresql");
    CHECK(socket.host.empty());
    CHECK(socket.database == "app");
    CHECK(socket.query_value("host") == "/var/run/postgresql");

    const auto user_only = alchemy::parse_url("postgresql://alice@/app");
    CHECK(user_only.username == "alice");
    CHECK(user_only.password.empty());
    CHECK(user_only.host.empty());

    const auto port_only = alchemy::parse_url("postgresql://:6543/app");
    CHECK(port_only.host.empty());
    CHECK(port_only.port == std::uint16_t{6543});
}

TEST_CASE("parse_url: user, password, host, database and query are percent-decoded", "[url]") {
    const auto u = alchemy::parse_url("postgresql://us%3Aer:p%40ss%2Fw%3Ard@%2Ftmp%2Fsock/my%20db?application_name=a+b%2Bc");
    CHECK(u.username == "us:er");
    CHECK(u.password == "p@ss/w:rd");
    CHECK(u.host == "/tmp/sock");
    CHECK(u.database == "my db");
    CHECK(u.query_value("application_name") == "a b+c");  // '+' is a space in the query only

    // An unencoded '@' in the password: the user information ends at the last '@'.
    const auto at = alchemy::parse_url("postgresql://u:p@ss@host/db");
    CHECK(at.password == "p@ss");
    CHECK(at.host == "host");
}

TEST_CASE("parse_url: an IPv6 host is written in brackets", "[url]") {
    const auto u = alchemy::parse_url("postgresql://u@[::1]:5432/db");
    CHECK(u.host == "::1");
    CHECK(u.port == std::uint16_t{5432});
    CHECK(alchemy::parse_url("postgresql://[fe80::1]/db").host == "fe80::1");
    CHECK_THROWS_WITH(alchemy::parse_url("postgresql://::1/db"), Catch::Contains("write an IPv6 address in brackets"));
    CHECK_THROWS_WITH(alchemy::parse_url("postgresql://[::1/db"), Catch::Contains("no closing ']'"));
}

TEST_CASE("parse_url: a malformed server URL is an ArgumentError saying what is wrong", "[url]") {
    const auto [text, why] = GENERATE(table<std::string, std::string>({
        {"postgresql://h:0/db", "the port '0' is not a number from 1 to 65535"},
        {"postgresql://h:65536/db", "the port '65536' is not a number from 1 to 65535"},
        {"postgresql://h:54x/db", "the port '54x' is not a number from 1 to 65535"},
        {"postgresql://h:/db", "the port after ':' is empty"},
        {"postgresql://h/a/b", "the database name 'a/b' contains '/'; percent-encode it as %2F"},
        {"postgresql://h/db?timeout", "the query parameter 'timeout' has no '=value'"},
        {"postgresql://h/db?=5", "the query parameter '=5' has no name"},
        {"postgresql://h/d%zz", "the database name has a '%' that is not followed by two hexadecimal digits"},
        {"postgresql://h/d%4", "the database name has a '%' that is not followed by two hexadecimal digits"},
        {"postgresql://h/d%00b", "the database name contains a NUL byte"},
        {"postgresql://h/db#frag", "a '#' is not part of a database URL"},
        {"postgresql+psycopg2://h/db", "driver 'psycopg2' is not supported; alchemy talks to PostgreSQL through libpq"},
        {"postgres://h/db", "the dialect is spelled 'postgresql', as in SQLAlchemy"},
        {"postgresql+://h/db", "driver '' is not supported"},
        {"sqlite+://///", "driver '' is not supported; use plain 'sqlite'"},
    }));
    INFO("URL: '" << text << "'");
    REQUIRE_THROWS_AS(alchemy::parse_url(text), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(alchemy::parse_url(text),
                        Catch::StartsWith("alchemy: could not parse database URL '" + text + "': ") &&
                            Catch::Contains(why));
}

TEST_CASE("parse_url: the password never appears in a message, even when the URL does not parse", "[url]") {
    const std::string text = GENERATE(as<std::string>{},
                                      "postgresql://scott:s3cr3t-pw@h:99999/db",
                                      "postgresql://scott:s3cr3t-pw@h/db?x",
                                      "postgresql+psycopg2://scott:s3cr3t-pw@h/db",
                                      "postgres://scott:s3cr3t-pw@h/db",
                                      "mysql://scott:s3cr3t-pw@h/db",
                                      "postgresql://scott:s3cr3t-pw@[::1/db",
                                      "postgresql:/scott:s3cr3t-pw@h/db");
    INFO("URL: '" << text << "'");
    try {
        alchemy::parse_url(text);
        FAIL("parsed");
    } catch (const alchemy::ArgumentError& e) {
        const std::string message = e.what();
        CHECK(message.find("s3cr3t-pw") == std::string::npos);
        CHECK(message.find("scott:***@") != std::string::npos);
    }
}

TEST_CASE("url::render writes the password as *** and reads back to the same url without hiding", "[url]") {
    const auto text = "postgresql://us%3Aer:p%40ss@[::1]:5433/my%20db?application_name=a%2Bb&connect_timeout=5";
    const auto u = alchemy::parse_url(text);
    CHECK(u.render() == "postgresql://us%3Aer:***@[::1]:5433/my%20db?application_name=a%2Bb&connect_timeout=5");
    CHECK(u.render(false) == text);
    CHECK(alchemy::parse_url(u.render(false)) == u);

    CHECK(alchemy::parse_url("postgresql://h/db").render() == "postgresql://h/db");
    CHECK(alchemy::parse_url("postgresql://").render() == "postgresql://");
    CHECK(alchemy::parse_url("sqlite://").render() == "sqlite://");
    CHECK(alchemy::parse_url("sqlite:///:memory:").render() == "sqlite://");
    CHECK(alchemy::parse_url("sqlite:////tmp/app.db").render() == "sqlite:////tmp/app.db");
}
