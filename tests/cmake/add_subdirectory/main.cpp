#include <alchemy/alchemy.hpp>
#include <cstdio>
int main() {
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();
    auto answer = conn.execute("SELECT 1 + ?", 41).scalar<int>();
    std::printf("consumer: %d\n", answer);
    return answer == 42 ? 0 : 1;
}
