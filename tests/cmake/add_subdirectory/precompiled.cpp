// Built with the README's precompiled header and warnings as errors
// (ALCHEMY_CONSUMER_PRECOMPILED_HEADER): alchemy's headers, and the templates a
// mapped struct instantiates, must stay warning-free when they come from a
// PCH, where GCC 12 can lose `#pragma GCC diagnostic` changes.
#include <alchemy/alchemy.hpp>

#include <cstdio>
#include <string>

// Reflected by Boost.PFR, with no annotation.
struct Note {
    int id = 0;
    std::string text;
};

int main() {
    auto engine = alchemy::create_engine("sqlite://");
    alchemy::metadata<Note>().create_all(engine);
    auto Session = alchemy::sessionmaker(engine);
    auto session = Session();
    auto note = session.add(Note{.text = "kept"});
    session.commit();
    session.expunge_all();
    auto loaded = session.query<Note>().filter(alchemy::col(&Note::text) == "kept").first();
    std::printf("precompiled consumer: %s\n", loaded ? loaded->text.c_str() : "(missing)");
    return loaded && loaded != note && loaded->id == 1 ? 0 : 1;
}
