// A std::vector is not a SQL value, so binding one as a statement parameter
// must be rejected at compile time with alchemy's own message.
// expect: alchemy: unsupported parameter type
#include <alchemy/alchemy.hpp>

#include <vector>

int main() {
    auto conn = alchemy::create_engine("sqlite://").connect();
    conn.execute("SELECT ?", std::vector<int>{1});
}
