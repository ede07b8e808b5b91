// An enum without a fixed underlying type holds only the values its
// enumerators span; reading one needs its enumerators to check that range,
// so without BOOST_DESCRIBE_ENUM it is rejected at compile time. (Binding
// one as a parameter needs nothing and compiles.)
// expect: alchemy: an enum without a fixed underlying type
// expect(GNU): [with E = Level]
// expect(Clang): 'alchemy::type_traits<Level>::read'
#include <alchemy/alchemy.hpp>

enum Level { low, high };

int main() {
    auto conn = alchemy::create_engine("sqlite://").connect();
    conn.execute("SELECT ?", high);
    (void)conn.execute("SELECT 1").scalar<Level>();
}
