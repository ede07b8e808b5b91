// Two foreign keys of Article reference User, and User.articles does not say
// which one links it (relation(&User::articles, &Article::author_id)).
// expect: alchemy: several foreign keys could link this relationship
// expect: relationship_ambiguous_foreign_key<User,
// expect(GNU): fixed_string<8>{"articles"}, Article>
// expect(Clang): {{97, 114, 116, 105, 99, 108, 101, 115}}, Article>
#include <alchemy/alchemy.hpp>

struct Article;
struct User {
    std::int64_t id = 0;
    alchemy::relationship<Article> articles;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, articles))

struct Article {
    std::int64_t id = 0;
    std::int64_t author_id = 0;
    std::int64_t editor_id = 0;
};
BOOST_DESCRIBE_STRUCT(Article, (), (id, author_id, editor_id))
constexpr auto alchemy_table(Article*) {
    return alchemy::table("articles", alchemy::foreign_key(&Article::author_id, &User::id),
                          alchemy::foreign_key(&Article::editor_id, &User::id));
}

int main() { (void)alchemy::table_of<User>(); }
