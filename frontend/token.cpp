// Names and descriptions of token kinds.
#include "frontend/token.h"

namespace nk {
namespace {

struct TokInfo {
  const char* name;
  const char* spelling;
  bool quoted;  // keywords and punctuators are quoted in messages
};

const TokInfo kTokInfo[] = {
#define TOKEN(kind, desc) {#kind, desc, false},
#define KEYWORD(kind, spelling) {"kw_" #kind, spelling, true},
#define PUNCT(kind, spelling) {#kind, spelling, true},
#include "frontend/tokens.def"
#undef TOKEN
#undef KEYWORD
#undef PUNCT
};

}  // namespace

std::string tok_description(Tok kind) {
  const TokInfo& info = kTokInfo[static_cast<int>(kind)];
  if (info.quoted) return std::string("'") + info.spelling + "'";
  return info.spelling;
}

const char* tok_spelling(Tok kind) { return kTokInfo[static_cast<int>(kind)].spelling; }
const char* tok_name(Tok kind) { return kTokInfo[static_cast<int>(kind)].name; }

std::string describe_token(const Token& t) {
  if (t.kind == Tok::Identifier) return "identifier '" + t.text + "'";
  return tok_description(t.kind);
}

}  // namespace nk
