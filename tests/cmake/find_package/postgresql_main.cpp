#include <alchemy/core.hpp>
#include <alchemy/postgresql.hpp>
#include <cstdio>
#include <string>
int main() {
    // An unknown URL parameter is refused before anything connects.
    try {
        alchemy::create_engine("postgresql://app:secret@db.example.com/app?colour=blue");
    } catch (const alchemy::ArgumentError& e) {
        const std::string what = e.what();
        const bool masked = what.find("secret") == std::string::npos;
        std::printf("consumer_postgresql: %s\n", e.what());
        return masked && what.find("unknown parameter 'colour'") != std::string::npos ? 0 : 1;
    }
    return 1;
}
