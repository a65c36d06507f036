//===- runtime/PTXEmulator.cpp - CPU interpreter for generated PTX --------===//
//
// Executes the integer PTX subset that LLVM's NVPTX backend emits for
// quant-lp's kernels, so that the GPU pipeline can be checked bit for bit on
// machines without a GPU. The implementation follows the PTX ISA
// specification, not quant-lp's kernel generator: it is meant as an
// independent check of that generator.
//
// Structure:
//  * A lexer/parser turns the PTX text into kernels of pre-decoded
//    instructions (typed operands resolved to register slots, immediates,
//    special registers, symbol addresses; branch targets resolved to
//    instruction indices). Everything the decoder does not know exactly is a
//    load-time error naming the line and the instruction.
//  * The executor runs the blocks of a grid one after the other. Within a
//    block, every warp runs its lanes in lockstep: the lanes at the minimum
//    program counter execute together, which makes divergent paths of
//    structured control flow reconverge. Instructions execute lane-vectorized
//    over the active mask. A warp runs until all its lanes have exited or wait
//    at a barrier; the barrier is released when every non-exited thread of
//    the block has arrived (PTX ISA, barrier.sync).
//  * Warp-collective instructions (mma.sync, ldmatrix, shfl.sync, vote.sync)
//    check that the lanes the ISA requires are converged and active, and are
//    errors otherwise (the ISA leaves those cases undefined).
//  * cp.async copies are read at issue and land in shared memory only when a
//    cp.async.wait_group/wait_all of the issuing thread requires them: the
//    latest legal completion, so that a kernel that reads shared memory
//    before waiting sees stale data instead of passing by luck.
//  * Shared-memory races between warps are errors. Running warps one after
//    the other between barriers hides a missing bar.sync (the writer warp
//    always runs first), so every shared byte remembers which warp last
//    wrote it and which warps read it in the current barrier interval; a
//    read of another warp's write, or a write over another warp's read or
//    write, in the same interval is reported. A cp.async write counts from
//    its issue to its completion.
//
// Address spaces: global addresses are host pointers. Shared and local memory
// live in emulator buffers; their generic addresses are placed in
// non-canonical address windows (never a valid host pointer), so generic
// accesses are classified exactly and out-of-bounds accesses are reported.
//
//===----------------------------------------------------------------------===//

#include "PTXEmulator.h"

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

//===----------------------------------------------------------------------===//
// Basic types
//===----------------------------------------------------------------------===//

/// Generic-address windows of the shared and local state spaces. These are
/// non-canonical x86-64/AArch64 addresses, so they never alias host memory.
constexpr uint64_t kSharedWindow = 0xffffa00000000000ull;
constexpr uint64_t kLocalWindow = 0xffffb00000000000ull;
constexpr uint64_t kWindowSize = 1ull << 40;

/// Largest shared memory a block may use (sm_90: 227 KiB).
constexpr uint64_t kMaxSharedBytes = 227 * 1024;

/// Warp-instructions one block may execute before the emulator assumes an
/// infinite loop (about ten seconds); QLP_PTX_MAX_STEPS overrides it.
constexpr uint64_t kDefaultMaxStepsPerBlock = 1ull << 30;

enum class TK : uint8_t { None, B, U, S, F, Pred };

struct Ty {
  TK k = TK::None;
  uint8_t bits = 0;
  bool isSigned() const { return k == TK::S; }
  bool isInt() const { return k == TK::B || k == TK::U || k == TK::S; }
};

bool parseType(const std::string &s, Ty &t) {
  if (s == "pred") {
    t = {TK::Pred, 1};
    return true;
  }
  if (s.size() < 2)
    return false;
  TK k;
  switch (s[0]) {
  case 'b': k = TK::B; break;
  case 'u': k = TK::U; break;
  case 's': k = TK::S; break;
  case 'f': k = TK::F; break;
  default: return false;
  }
  std::string n = s.substr(1);
  unsigned bits = n == "8" ? 8 : n == "16" ? 16 : n == "32" ? 32 : n == "64" ? 64 : 0;
  if (!bits || (k == TK::F && bits == 8))
    return false;
  t = {k, (uint8_t)bits};
  return true;
}

inline uint64_t maskOf(unsigned bits) {
  return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}
inline int64_t sext(uint64_t v, unsigned bits) {
  if (bits >= 64)
    return (int64_t)v;
  unsigned sh = 64 - bits;
  return (int64_t)(v << sh) >> sh;
}
/// Sign- or zero-extends the low `bits` bits of v to 64 bits.
inline uint64_t ext(uint64_t v, unsigned bits, bool sgn) {
  return sgn ? (uint64_t)sext(v, bits) : v & maskOf(bits);
}

enum class Space : uint8_t { Generic, Global, Shared, Local, Param };

const char *spaceName(Space s) {
  switch (s) {
  case Space::Generic: return "generic";
  case Space::Global: return "global";
  case Space::Shared: return "shared";
  case Space::Local: return "local";
  case Space::Param: return "param";
  }
  return "?";
}

enum SReg : uint8_t {
  SR_TidX, SR_TidY, SR_TidZ, SR_NtidX, SR_NtidY, SR_NtidZ,
  SR_CtaidX, SR_CtaidY, SR_CtaidZ, SR_NctaidX, SR_NctaidY, SR_NctaidZ,
  SR_LaneId, SR_LanemaskEq, SR_LanemaskLe, SR_LanemaskLt, SR_LanemaskGe,
  SR_LanemaskGt
};

bool parseSReg(const std::string &s, uint8_t &r) {
  static const struct { const char *n; SReg r; } table[] = {
      {"%tid.x", SR_TidX},       {"%tid.y", SR_TidY},
      {"%tid.z", SR_TidZ},       {"%ntid.x", SR_NtidX},
      {"%ntid.y", SR_NtidY},     {"%ntid.z", SR_NtidZ},
      {"%ctaid.x", SR_CtaidX},   {"%ctaid.y", SR_CtaidY},
      {"%ctaid.z", SR_CtaidZ},   {"%nctaid.x", SR_NctaidX},
      {"%nctaid.y", SR_NctaidY}, {"%nctaid.z", SR_NctaidZ},
      {"%laneid", SR_LaneId},    {"%lanemask_eq", SR_LanemaskEq},
      {"%lanemask_le", SR_LanemaskLe}, {"%lanemask_lt", SR_LanemaskLt},
      {"%lanemask_ge", SR_LanemaskGe}, {"%lanemask_gt", SR_LanemaskGt}};
  for (const auto &e : table)
    if (s == e.n) {
      r = e.r;
      return true;
    }
  return false;
}

/// Marks an immediate that holds an offset from the dynamic shared window,
/// whose start is known only once the kernel's static shared size is.
constexpr uint8_t kDynSharedMark = 0xff;

/// A decoded operand. Address operands are Reg (register + imm offset) or Imm
/// (absolute address in the instruction's state space).
struct Opnd {
  enum Kind : uint8_t { None, Reg, Imm, Sreg, Sink };
  Kind k = None;
  uint8_t bits = 0; // register width; 1 for predicates
  bool neg = false; // {!}p
  uint8_t sreg = 0;
  int32_t slot = -1;
  int64_t imm = 0;
};

enum class Op : uint8_t {
  Add, Sub, Mul, Mad, Div, Rem, Abs, Neg, Min, Max, And, Or, Xor, Not, Cnot,
  Shl, Shr, Shf, Setp, Selp, Mov, MovPack, MovUnpack, Cvt, Cvta, Bfe, Bfi, Prmt,
  Popc, Clz, Brev, Ld, St, CpAsync, CpCommit, CpWait, CpWaitAll, Bar, Bra,
  Exit, Shfl, Vote, ActiveMask, Ldmatrix, Mma, Nop
};

enum Cmp : uint8_t { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };
enum BoolOp : uint8_t { BO_None, BO_And, BO_Or, BO_Xor };
enum MulMode : uint8_t { MM_Lo, MM_Hi, MM_Wide };
enum ShflMode : uint8_t { SH_Up, SH_Down, SH_Bfly, SH_Idx };
enum VoteMode : uint8_t { V_All, V_Any, V_Uni, V_Ballot };

struct Inst {
  Op op = Op::Nop;
  Ty t, t2, t3;     // instruction types (cvt: t=dst, t2=src; mma: t2=A, t3=B)
  uint8_t mode = 0; // op-specific (Cmp, MulMode, ShflMode, ...)
  uint8_t mode2 = 0;
  uint8_t vec = 1;
  Space space = Space::Generic;
  bool sat = false, ccOut = false, ccIn = false, flag = false;
  /// add/sub/min/max on .s16x2/.u16x2: two 16-bit lanes of a .b32 (sm_90).
  bool packed = false;
  uint16_t m = 0, n = 0, k = 0; // mma shape; cp.async size in k
  int32_t guard = -1;
  bool guardNeg = false;
  int32_t target = -1;
  int line = 0;
  std::vector<Opnd> o;
  std::string name; // opcode, for diagnostics
};

struct Param {
  std::string name;
  uint32_t offset = 0, size = 0;
};

} // namespace

struct qlp_ptx_kernel {
  std::string name;
  qlp_ptx_module *module = nullptr;
  std::vector<Param> params;
  uint32_t paramBytes = 0;
  std::vector<Inst> code;
  uint32_t slots = 0;
  uint32_t staticShared = 0;
  bool hasDynShared = false;
  uint32_t dynSharedOffset = 0;
  uint32_t localBytes = 0;
  uint32_t maxntid[3] = {0, 0, 0};
  uint32_t reqntid[3] = {0, 0, 0};
};

struct qlp_ptx_module {
  std::vector<std::unique_ptr<qlp_ptx_kernel>> kernels;
  unsigned sm = 0;
  /// Storage of the module's .global variables (host memory: global
  /// addresses are host pointers), freed with the module.
  std::vector<void *> globals;
  qlp_ptx_module() = default;
  qlp_ptx_module(const qlp_ptx_module &) = delete;
  qlp_ptx_module &operator=(const qlp_ptx_module &) = delete;
  ~qlp_ptx_module() {
    for (void *g : globals)
      free(g);
  }
};

namespace {

void writeErr(char *err, size_t size, const std::string &msg) {
  if (!err || !size)
    return;
  size_t n = std::min(size - 1, msg.size());
  memcpy(err, msg.data(), n);
  err[n] = 0;
}

std::string vformat(const char *fmt, va_list ap) {
  char buf[1024];
  vsnprintf(buf, sizeof buf, fmt, ap);
  return buf;
}

//===----------------------------------------------------------------------===//
// Lexer
//===----------------------------------------------------------------------===//

struct Tok {
  enum Kind : uint8_t { Word, Punct, End } k = End;
  std::string s;
  int line = 0;
};

bool isWordChar(char c) {
  return isalnum((unsigned char)c) || c == '_' || c == '$' || c == '%' ||
         c == '.';
}

bool lex(const char *p, size_t size, std::vector<Tok> &out, std::string &err) {
  const char *e = p + size;
  int line = 1;
  while (p < e) {
    char c = *p;
    if (c == '\n') {
      ++line;
      ++p;
    } else if (isspace((unsigned char)c)) {
      ++p;
    } else if (c == '/' && p + 1 < e && p[1] == '/') {
      while (p < e && *p != '\n')
        ++p;
    } else if (c == '/' && p + 1 < e && p[1] == '*') {
      p += 2;
      while (p + 1 < e && !(p[0] == '*' && p[1] == '/')) {
        if (*p == '\n')
          ++line;
        ++p;
      }
      if (p + 1 >= e) {
        err = "line " + std::to_string(line) + ": unterminated /* comment";
        return false;
      }
      p += 2;
    } else if (c == '"') {
      const char *b = p++;
      while (p < e && *p != '"' && *p != '\n')
        ++p;
      if (p >= e || *p != '"') {
        err = "line " + std::to_string(line) + ": unterminated string";
        return false;
      }
      ++p;
      out.push_back({Tok::Word, std::string(b, p), line});
    } else if (isWordChar(c)) {
      const char *b = p;
      while (p < e && (isWordChar(*p) ||
                       (*p == ':' && p + 1 < e && p[1] == ':' && (p += 1))))
        ++p;
      out.push_back({Tok::Word, std::string(b, p), line});
    } else {
      out.push_back({Tok::Punct, std::string(1, c), line});
      ++p;
    }
  }
  out.push_back({Tok::End, "", line});
  return true;
}

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

/// A parsed, not yet decoded, operand.
struct Arg {
  enum Kind : uint8_t { Reg, Imm, Sym, Sink, Vec, Addr } k = Imm;
  std::string name; // Reg/Sym; Addr: base name (empty if absolute)
  int64_t imm = 0;  // Imm value; Addr offset
  bool neg = false; // !%p
  bool baseIsNum = false;
  std::vector<Arg> elems; // Vec elements
  std::unique_ptr<Arg> pipe; // d|p: the second destination
  Arg() = default;
  Arg(const Arg &o)
      : k(o.k), name(o.name), imm(o.imm), neg(o.neg), baseIsNum(o.baseIsNum),
        elems(o.elems), pipe(o.pipe ? new Arg(*o.pipe) : nullptr) {}
};

struct RegInfo {
  int32_t slot;
  uint8_t bits;
};

struct SymInfo {
  Space space;
  uint64_t addr;
};

bool parseNumber(const std::string &s, int64_t &v) {
  std::string t = s;
  if (!t.empty() && (t.back() == 'U' || t.back() == 'u'))
    t.pop_back();
  if (t.empty())
    return false;
  uint64_t x = 0;
  size_t i = 0;
  unsigned base = 10;
  if (t.size() > 1 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    base = 16;
    i = 2;
  } else if (t.size() > 1 && t[0] == '0' && (t[1] == 'b' || t[1] == 'B')) {
    base = 2;
    i = 2;
  } else if (t.size() > 1 && t[0] == '0') {
    base = 8;
    i = 1;
  }
  if (i >= t.size())
    return false;
  for (; i < t.size(); ++i) {
    char c = t[i];
    unsigned d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    if (d >= base)
      return false;
    uint64_t nx = x * base + d;
    if ((nx - d) / base != x)
      return false; // overflow
    x = nx;
  }
  v = (int64_t)x;
  return true;
}

class Parser {
public:
  Parser(const char *p, size_t n) : text(p), size(n) {}
  qlp_ptx_module *parse(std::string &errOut);

private:
  const char *text;
  size_t size;
  std::vector<Tok> toks;
  size_t pos = 0;
  std::string err;
  std::unique_ptr<qlp_ptx_module> mod;

  // Module-scope shared variables (in declaration order).
  struct SharedVar {
    std::string name;
    uint32_t align, bytes;
    bool dynamic;
  };
  std::vector<SharedVar> moduleShared;
  // Module-scope .global variables and their host addresses.
  std::vector<std::pair<std::string, uint64_t>> moduleGlobals;

  // Per-kernel state.
  qlp_ptx_kernel *kern = nullptr;
  std::vector<std::unordered_map<std::string, RegInfo>> regScopes;
  std::unordered_map<std::string, SymInfo> syms;
  std::unordered_map<std::string, int32_t> labels;
  struct PendingBranch {
    size_t inst;
    std::string label;
    int line;
  };
  std::vector<PendingBranch> branches;

  const Tok &peek(size_t ahead = 0) const {
    return toks[std::min(pos + ahead, toks.size() - 1)];
  }
  const Tok &next() { return toks[pos < toks.size() - 1 ? pos++ : pos]; }
  bool isP(const Tok &t, char c) const {
    return t.k == Tok::Punct && t.s[0] == c;
  }
  bool fail(int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    err = "ptx line " + std::to_string(line) + ": " + vformat(fmt, ap);
    va_end(ap);
    return false;
  }
  bool expectP(char c) {
    const Tok &t = next();
    if (!isP(t, c))
      return fail(t.line, "expected '%c', found '%s'", c, t.s.c_str());
    return true;
  }
  bool expectNumber(int64_t &v) {
    const Tok &t = next();
    if (t.k != Tok::Word || !parseNumber(t.s, v))
      return fail(t.line, "expected an integer, found '%s'", t.s.c_str());
    return true;
  }
  void skipLine() {
    int l = peek().line;
    while (peek().k != Tok::End && peek().line == l)
      next();
  }
  bool skipStatement() {
    while (peek().k != Tok::End && !isP(peek(), ';'))
      next();
    return expectP(';');
  }

  bool parseTopLevel();
  bool parseVarDecl(Space space, bool isExtern, bool moduleScope);
  bool parseGlobalVar(int line, const std::string &name, Ty t, uint32_t align,
                      uint64_t count, bool isExtern);
  bool parseEntry();
  bool parseBody();
  bool parseRegDecl();
  bool parseInstruction();
  bool parseArg(Arg &a);
  bool decode(const std::string &opcode, std::vector<Arg> &args, Inst &in);

  // Operand decoding helpers.
  enum : unsigned {
    AllowImm = 1,   // an immediate is accepted
    AllowSreg = 2,  // a special register is accepted
    Wider = 4,      // the register may be wider than `bits`
    IsDst = 8,      // destination operand
    AllowSink = 16, // '_' accepted
    AllowSym = 32,  // a symbol (its address) is accepted
  };
  bool lookupReg(const std::string &n, RegInfo &r) const {
    for (auto it = regScopes.rbegin(); it != regScopes.rend(); ++it) {
      auto f = it->find(n);
      if (f != it->end()) {
        r = f->second;
        return true;
      }
    }
    return false;
  }
  bool operand(const Arg &a, Opnd &o, unsigned bits, unsigned flags,
               const Inst &in);
  bool predOperand(const Arg &a, Opnd &o, const Inst &in, bool allowNeg);
  bool addrOperand(const Arg &a, Opnd &o, Space &space, const Inst &in);
};

bool Parser::parseArg(Arg &a) {
  const Tok &t = next();
  if (isP(t, '{')) {
    a.k = Arg::Vec;
    for (;;) {
      Arg e;
      if (!parseArg(e))
        return false;
      a.elems.push_back(e);
      if (isP(peek(), ','))
        next();
      else
        break;
    }
    return expectP('}');
  }
  if (isP(t, '[')) {
    a.k = Arg::Addr;
    const Tok &b = next();
    if (b.k != Tok::Word)
      return fail(b.line, "bad address operand");
    int64_t v;
    if (parseNumber(b.s, v)) {
      a.baseIsNum = true;
      a.imm = v;
    } else {
      a.name = b.s;
    }
    if (isP(peek(), '+') || isP(peek(), '-')) {
      bool negOff = next().s[0] == '-';
      if (isP(peek(), '-')) {
        next();
        negOff = !negOff;
      }
      int64_t off;
      if (!expectNumber(off))
        return false;
      a.imm += negOff ? -off : off;
    }
    return expectP(']');
  }
  if (isP(t, '!')) {
    if (!parseArg(a))
      return false;
    if (a.k != Arg::Reg)
      return fail(t.line, "'!' must prefix a predicate register");
    a.neg = true;
    return true;
  }
  if (isP(t, '-')) {
    int64_t v;
    if (!expectNumber(v))
      return false;
    a.k = Arg::Imm;
    a.imm = -v;
    return true;
  }
  if (t.k != Tok::Word)
    return fail(t.line, "unexpected '%s' in operand list", t.s.c_str());
  if (t.s == "_") {
    a.k = Arg::Sink;
  } else if (isdigit((unsigned char)t.s[0])) {
    if (t.s.size() > 2 && t.s[0] == '0' &&
        (t.s[1] == 'f' || t.s[1] == 'F' || t.s[1] == 'd' || t.s[1] == 'D'))
      return fail(t.line, "floating-point literal '%s' is not supported",
                  t.s.c_str());
    a.k = Arg::Imm;
    if (!parseNumber(t.s, a.imm))
      return fail(t.line, "bad integer literal '%s'", t.s.c_str());
  } else if (t.s[0] == '%') {
    a.k = Arg::Reg;
    a.name = t.s;
  } else {
    a.k = Arg::Sym;
    a.name = t.s;
  }
  if (isP(peek(), '|')) {
    next();
    a.pipe.reset(new Arg);
    if (!parseArg(*a.pipe))
      return false;
  }
  return true;
}

bool Parser::operand(const Arg &a, Opnd &o, unsigned bits, unsigned flags,
                     const Inst &in) {
  const char *op = in.name.c_str();
  switch (a.k) {
  case Arg::Reg: {
    if (a.neg)
      return fail(in.line, "'%s': unexpected '!' on operand %s", op,
                  a.name.c_str());
    RegInfo r;
    if (lookupReg(a.name, r)) {
      if (r.bits == 1)
        return fail(in.line,
                    "'%s': predicate %s used where a %u-bit value is expected",
                    op, a.name.c_str(), bits);
      if (bits && !(r.bits == bits || ((flags & Wider) && r.bits > bits)))
        return fail(in.line,
                    "'%s': register %s is %u bits wide, the instruction "
                    "expects %u bits",
                    op, a.name.c_str(), (unsigned)r.bits, bits);
      o.k = Opnd::Reg;
      o.slot = r.slot;
      o.bits = r.bits;
      return true;
    }
    uint8_t s;
    if (parseSReg(a.name, s)) {
      if (!(flags & AllowSreg) || (flags & IsDst))
        return fail(in.line, "'%s': special register %s not allowed here", op,
                    a.name.c_str());
      o.k = Opnd::Sreg;
      o.sreg = s;
      o.bits = 32;
      return true;
    }
    return fail(in.line, "'%s': unknown or unsupported register %s", op,
                a.name.c_str());
  }
  case Arg::Imm:
    if (!(flags & AllowImm) || (flags & IsDst))
      return fail(in.line, "'%s': immediate not allowed here", op);
    o.k = Opnd::Imm;
    o.imm = a.imm;
    return true;
  case Arg::Sink:
    if (!(flags & AllowSink))
      return fail(in.line, "'%s': '_' not allowed here", op);
    o.k = Opnd::Sink;
    return true;
  case Arg::Sym: {
    auto f = syms.find(a.name);
    if (f == syms.end())
      return fail(in.line, "'%s': unknown symbol '%s'", op, a.name.c_str());
    if (!(flags & AllowSym) || f->second.space == Space::Param)
      return fail(in.line, "'%s': the address of '%s' is not supported here",
                  op, a.name.c_str());
    o.k = Opnd::Imm;
    if (f->second.addr == ~0ull) { // dynamic shared: offset fixed up later
      o.imm = 0;
      o.bits = kDynSharedMark;
    } else {
      o.imm = (int64_t)f->second.addr;
    }
    return true;
  }
  default:
    return fail(in.line, "'%s': unexpected vector or address operand", op);
  }
}

bool Parser::predOperand(const Arg &a, Opnd &o, const Inst &in,
                         bool allowNeg) {
  RegInfo r;
  if (a.k != Arg::Reg || !lookupReg(a.name, r) || r.bits != 1)
    return fail(in.line, "'%s': expected a predicate register",
                in.name.c_str());
  if (a.neg && !allowNeg)
    return fail(in.line, "'%s': '!' not allowed on this operand",
                in.name.c_str());
  o.k = Opnd::Reg;
  o.slot = r.slot;
  o.bits = 1;
  o.neg = a.neg;
  return true;
}

bool Parser::addrOperand(const Arg &a, Opnd &o, Space &space,
                         const Inst &in) {
  if (a.k != Arg::Addr)
    return fail(in.line, "'%s': expected an address operand [..]",
                in.name.c_str());
  if (a.baseIsNum) {
    o.k = Opnd::Imm;
    o.imm = a.imm;
    return true;
  }
  if (a.name[0] == '%') {
    RegInfo r;
    if (!lookupReg(a.name, r) || r.bits < 32)
      return fail(in.line, "'%s': bad address register %s", in.name.c_str(),
                  a.name.c_str());
    o.k = Opnd::Reg;
    o.slot = r.slot;
    o.bits = r.bits;
    o.imm = a.imm;
    return true;
  }
  auto f = syms.find(a.name);
  if (f == syms.end())
    return fail(in.line, "'%s': unknown symbol '%s'", in.name.c_str(),
                a.name.c_str());
  // A variable name in an address is an address in the variable's space; a
  // generic access through it is not what LLVM emits, reject it.
  if (space == Space::Generic || space != f->second.space)
    return fail(in.line, "'%s': symbol '%s' is in the %s space",
                in.name.c_str(), a.name.c_str(), spaceName(f->second.space));
  o.k = Opnd::Imm;
  if (f->second.addr == ~0ull) { // dynamic shared: offset fixed up later
    o.imm = a.imm;
    o.bits = kDynSharedMark;
  } else {
    o.imm = (int64_t)f->second.addr + a.imm;
  }
  return true;
}

bool Parser::parseVarDecl(Space space, bool isExtern, bool moduleScope) {
  int line = peek().line;
  uint32_t align = 0;
  Ty t;
  std::string name;
  for (;;) {
    const Tok &tk = next();
    if (tk.k != Tok::Word)
      return fail(tk.line, "bad variable declaration");
    if (tk.s == ".align") {
      int64_t a;
      if (!expectNumber(a))
        return false;
      if (a <= 0 || (a & (a - 1)))
        return fail(tk.line, "bad alignment %lld", (long long)a);
      align = (uint32_t)a;
    } else if (tk.s[0] == '.') {
      if (!parseType(tk.s.substr(1), t) || t.k == TK::Pred)
        return fail(tk.line, "unsupported variable attribute '%s'",
                    tk.s.c_str());
    } else {
      name = tk.s;
      break;
    }
  }
  if (!t.bits)
    return fail(line, "variable '%s' has no type", name.c_str());
  uint64_t count = 1;
  bool dynamic = false;
  while (isP(peek(), '[')) {
    next();
    if (isP(peek(), ']')) {
      if (!isExtern)
        return fail(line, "array '%s' without size", name.c_str());
      dynamic = true;
      next();
      continue;
    }
    int64_t n;
    if (!expectNumber(n) || !expectP(']'))
      return false;
    count *= (uint64_t)n;
  }
  if (space == Space::Global)
    return parseGlobalVar(line, name, t, align, count, isExtern || dynamic);
  if (isP(peek(), '='))
    return fail(line, "initialized variable '%s' is not supported",
                name.c_str());
  if (!expectP(';'))
    return false;
  if (isExtern && !dynamic)
    return fail(line, "extern variable '%s' is not supported", name.c_str());
  uint32_t elem = t.bits / 8;
  if (!align)
    align = elem;
  uint64_t bytes = count * elem;
  if (bytes > kMaxSharedBytes * 16)
    return fail(line, "variable '%s' is too large", name.c_str());
  if (moduleScope) {
    moduleShared.push_back({name, align, (uint32_t)bytes, dynamic});
    return true;
  }
  if (space == Space::Local) {
    uint32_t off = (kern->localBytes + align - 1) & ~(align - 1);
    syms[name] = {Space::Local, off};
    kern->localBytes = off + (uint32_t)bytes;
    return true;
  }
  if (dynamic) {
    kern->hasDynShared = true;
    kern->dynSharedOffset = std::max(kern->dynSharedOffset, align);
    syms[name] = {Space::Shared, ~0ull}; // resolved after the body
    return true;
  }
  uint32_t off = (kern->staticShared + align - 1) & ~(align - 1);
  syms[name] = {Space::Shared, off};
  kern->staticShared = off + (uint32_t)bytes;
  return true;
}

/// A module-scope .global variable, after its name and dimensions: host
/// memory of the variable's size and alignment, zero-filled, with the
/// integer initializer `= v` or `= {v, v, ...}` stored little-endian
/// element by element (missing trailing elements are zero, as in PTX).
bool Parser::parseGlobalVar(int line, const std::string &name, Ty t,
                            uint32_t align, uint64_t count, bool isExtern) {
  if (isExtern)
    return fail(line, "extern variable '%s' is not supported", name.c_str());
  if (!t.isInt())
    return fail(line, "variable '%s': only integer .global variables are "
                "supported", name.c_str());
  uint32_t elem = t.bits / 8;
  if (!align)
    align = elem;
  if (count == 0 || count > (1ull << 30) / elem)
    return fail(line, "variable '%s' has a bad size", name.c_str());
  uint64_t bytes = count * elem;
  uint64_t alignment = std::max<uint64_t>(align, 16);
  void *data = aligned_alloc(alignment, (bytes + alignment - 1) / alignment *
                                            alignment);
  if (!data)
    return fail(line, "out of memory for variable '%s'", name.c_str());
  mod->globals.push_back(data);
  memset(data, 0, bytes);
  auto value = [&](uint64_t i) {
    int64_t v;
    bool negative = isP(peek(), '-');
    if (negative)
      next();
    if (!expectNumber(v))
      return false;
    if (negative)
      v = -v;
    memcpy(static_cast<uint8_t *>(data) + i * elem, &v, elem);
    return true;
  };
  if (isP(peek(), '=')) {
    next();
    if (isP(peek(), '{')) {
      next();
      for (uint64_t i = 0; !isP(peek(), '}'); ++i) {
        if (i == count)
          return fail(line, "too many initializers for '%s'", name.c_str());
        if (i && !expectP(','))
          return false;
        if (!value(i))
          return false;
      }
      next();
    } else if (!value(0)) {
      return false;
    }
  }
  if (!expectP(';'))
    return false;
  moduleGlobals.emplace_back(name, (uint64_t)(uintptr_t)data);
  return true;
}

bool Parser::parseRegDecl() {
  const Tok &tt = next();
  Ty t;
  if (tt.k != Tok::Word || tt.s[0] != '.' || !parseType(tt.s.substr(1), t))
    return fail(tt.line, "unsupported register type '%s'", tt.s.c_str());
  for (;;) {
    const Tok &n = next();
    if (n.k != Tok::Word || n.s[0] != '%')
      return fail(n.line, "bad register name '%s'", n.s.c_str());
    int64_t count = -1;
    if (isP(peek(), '<')) {
      next();
      if (!expectNumber(count) || !expectP('>'))
        return false;
      if (count < 0 || count > (1 << 20))
        return fail(n.line, "bad register count");
    }
    auto &scope = regScopes.back();
    if (count < 0) {
      scope[n.s] = {(int32_t)kern->slots++, t.bits};
    } else {
      for (int64_t i = 0; i < count; ++i)
        scope[n.s + std::to_string(i)] = {(int32_t)kern->slots++, t.bits};
    }
    if (isP(peek(), ',')) {
      next();
      continue;
    }
    return expectP(';');
  }
}

bool Parser::parseInstruction() {
  Inst in;
  in.line = peek().line;
  if (isP(peek(), '@')) {
    next();
    Arg g;
    if (!parseArg(g))
      return false;
    Opnd go;
    in.name = "@guard";
    if (!predOperand(g, go, in, true))
      return false;
    in.guard = go.slot;
    in.guardNeg = go.neg;
  }
  const Tok &opTok = next();
  if (opTok.k != Tok::Word)
    return fail(opTok.line, "expected an instruction, found '%s'",
                opTok.s.c_str());
  in.name = opTok.s;
  in.line = opTok.line;
  std::vector<Arg> args;
  while (!isP(peek(), ';')) {
    if (peek().k == Tok::End)
      return fail(in.line, "missing ';' after '%s'", in.name.c_str());
    Arg a;
    if (!parseArg(a))
      return false;
    args.push_back(a);
    if (isP(peek(), ','))
      next();
    else if (!isP(peek(), ';'))
      return fail(peek().line, "'%s': unexpected '%s' in operands",
                  in.name.c_str(), peek().s.c_str());
  }
  next();
  if (!decode(opTok.s, args, in))
    return false;
  kern->code.push_back(std::move(in));
  return true;
}

bool Parser::parseBody() {
  int depth = 0;
  for (;;) {
    const Tok &t = peek();
    if (t.k == Tok::End)
      return fail(t.line, "unexpected end of input in kernel body");
    if (isP(t, '{')) {
      next();
      ++depth;
      regScopes.emplace_back();
      continue;
    }
    if (isP(t, '}')) {
      next();
      regScopes.pop_back();
      if (depth-- == 0)
        return true;
      continue;
    }
    if (t.k == Tok::Word && t.s[0] == '.') {
      next();
      if (t.s == ".reg") {
        if (!parseRegDecl())
          return false;
      } else if (t.s == ".shared" || t.s == ".local") {
        if (!parseVarDecl(t.s == ".shared" ? Space::Shared : Space::Local,
                          false, false))
          return false;
      } else if (t.s == ".extern" && peek().s == ".shared") {
        next();
        if (!parseVarDecl(Space::Shared, true, false))
          return false;
      } else if (t.s == ".pragma") {
        if (!skipStatement())
          return false;
      } else if (t.s == ".loc" || t.s == ".file") {
        skipLine();
      } else {
        return fail(t.line, "unsupported directive '%s' in kernel body",
                    t.s.c_str());
      }
      continue;
    }
    if (t.k == Tok::Word && isP(peek(1), ':')) {
      std::string l = t.s;
      int line = t.line;
      next();
      next();
      if (labels.count(l))
        return fail(line, "duplicate label '%s'", l.c_str());
      labels[l] = (int32_t)kern->code.size();
      continue;
    }
    if (!parseInstruction())
      return false;
  }
}

bool Parser::parseEntry() {
  const Tok &nt = next();
  if (nt.k != Tok::Word)
    return fail(nt.line, "expected kernel name");
  mod->kernels.emplace_back(new qlp_ptx_kernel);
  kern = mod->kernels.back().get();
  kern->name = nt.s;
  kern->module = mod.get();
  syms.clear();
  labels.clear();
  branches.clear();
  regScopes.clear();
  regScopes.emplace_back();
  for (const auto &[name, address] : moduleGlobals)
    syms[name] = {Space::Global, address};
  // Module-scope shared variables come first in every kernel's window.
  for (const SharedVar &v : moduleShared) {
    if (v.dynamic) {
      kern->hasDynShared = true;
      kern->dynSharedOffset = std::max(kern->dynSharedOffset, v.align);
      syms[v.name] = {Space::Shared, ~0ull};
      continue;
    }
    uint32_t off = (kern->staticShared + v.align - 1) & ~(v.align - 1);
    syms[v.name] = {Space::Shared, off};
    kern->staticShared = off + v.bytes;
  }
  // Parameters.
  if (isP(peek(), '(')) {
    next();
    while (!isP(peek(), ')')) {
      const Tok &pt = next();
      if (pt.s != ".param")
        return fail(pt.line, "expected .param, found '%s'", pt.s.c_str());
      uint32_t align = 0;
      Ty t;
      std::string name;
      for (;;) {
        const Tok &a = next();
        if (a.k != Tok::Word)
          return fail(a.line, "bad parameter declaration");
        if (a.s == ".align") {
          int64_t v;
          if (!expectNumber(v))
            return false;
          align = (uint32_t)v;
        } else if (a.s == ".ptr" || a.s == ".global" || a.s == ".shared" ||
                   a.s == ".local" || a.s == ".const") {
          // Pointer attributes: hints only.
        } else if (a.s[0] == '.') {
          if (!parseType(a.s.substr(1), t) || t.k == TK::Pred)
            return fail(a.line, "unsupported parameter type '%s'",
                        a.s.c_str());
        } else {
          name = a.s;
          break;
        }
      }
      if (!t.bits)
        return fail(pt.line, "parameter '%s' has no type", name.c_str());
      uint64_t count = 1;
      if (isP(peek(), '[')) {
        next();
        int64_t n;
        if (!expectNumber(n) || !expectP(']'))
          return false;
        count = (uint64_t)n;
      }
      uint32_t elem = t.bits / 8;
      // A scalar .ptr parameter's .align describes the pointee; the
      // parameter itself is naturally aligned. Arrays use their .align.
      uint32_t a = count > 1 && align ? align : elem;
      uint32_t off = (kern->paramBytes + a - 1) & ~(a - 1);
      kern->params.push_back({name, off, (uint32_t)(elem * count)});
      syms[name] = {Space::Param, off};
      kern->paramBytes = off + (uint32_t)(elem * count);
      if (isP(peek(), ','))
        next();
    }
    next();
  }
  // Performance directives.
  while (peek().k == Tok::Word && peek().s[0] == '.') {
    const Tok &d = next();
    uint32_t *dst = d.s == ".maxntid"   ? kern->maxntid
                    : d.s == ".reqntid" ? kern->reqntid
                                        : nullptr;
    if (dst) {
      for (int i = 0; i < 3; ++i) {
        int64_t v;
        if (!expectNumber(v))
          return false;
        dst[i] = (uint32_t)v;
        if (!isP(peek(), ','))
          break;
        next();
      }
      for (int i = 0; i < 3; ++i)
        if (!dst[i])
          dst[i] = 1;
    } else if (d.s == ".minnctapersm" || d.s == ".maxnreg" ||
               d.s == ".maxnctapersm") {
      int64_t v;
      if (!expectNumber(v))
        return false;
    } else if (d.s == ".noreturn") {
    } else if (d.s == ".pragma") {
      if (!skipStatement())
        return false;
    } else {
      return fail(d.line, "unsupported kernel directive '%s'", d.s.c_str());
    }
  }
  if (!expectP('{'))
    return false;
  if (!parseBody())
    return false;
  // Resolve branch targets.
  for (const PendingBranch &b : branches) {
    auto f = labels.find(b.label);
    if (f == labels.end())
      return fail(b.line, "unknown label '%s'", b.label.c_str());
    kern->code[b.inst].target = f->second;
  }
  // Dynamic shared memory starts after all static shared variables.
  if (kern->hasDynShared) {
    uint32_t a = kern->dynSharedOffset;
    kern->dynSharedOffset = (kern->staticShared + a - 1) & ~(a - 1);
    for (Inst &in : kern->code)
      for (Opnd &o : in.o)
        if (o.k == Opnd::Imm && o.bits == kDynSharedMark) {
          o.imm += kern->dynSharedOffset;
          o.bits = 0;
        }
  }
  kern = nullptr;
  return true;
}

bool Parser::parseTopLevel() {
  while (peek().k != Tok::End) {
    const Tok &t = next();
    if (t.k != Tok::Word)
      return fail(t.line, "unexpected '%s' at module scope", t.s.c_str());
    if (t.s == ".version") {
      skipLine();
    } else if (t.s == ".target") {
      const Tok &s = next();
      if (s.s.compare(0, 3, "sm_") != 0)
        return fail(s.line, "unsupported target '%s'", s.s.c_str());
      mod->sm = (unsigned)atoi(s.s.c_str() + 3);
      if (mod->sm < 70)
        return fail(s.line, "target %s is not supported (sm_70 or newer)",
                    s.s.c_str());
      while (isP(peek(), ',')) {
        next();
        next();
      }
    } else if (t.s == ".address_size") {
      int64_t v;
      if (!expectNumber(v))
        return false;
      if (v != 64)
        return fail(t.line, "only .address_size 64 is supported");
    } else if (t.s == ".file") {
      skipLine();
    } else if (t.s == ".section") {
      // Debug sections: skip the braced contents.
      while (peek().k != Tok::End && !isP(peek(), '{'))
        next();
      int depth = 0;
      do {
        const Tok &x = next();
        if (isP(x, '{'))
          ++depth;
        else if (isP(x, '}'))
          --depth;
        else if (x.k == Tok::End)
          return fail(t.line, "unterminated .section");
      } while (depth > 0);
    } else if (t.s == ".visible" || t.s == ".weak" || t.s == ".extern" ||
               t.s == ".entry" || t.s == ".func" || t.s == ".shared" ||
               t.s == ".global" || t.s == ".const") {
      bool isExtern = false;
      const Tok *d = &t;
      while (d->s == ".visible" || d->s == ".weak" || d->s == ".extern") {
        isExtern |= d->s == ".extern";
        d = &next();
      }
      if (d->s == ".entry") {
        if (!parseEntry())
          return false;
      } else if (d->s == ".func") {
        if (!isExtern)
          return fail(d->line, "device functions (.func) are not supported");
        if (!skipStatement()) // a declaration; calls are rejected
          return false;
      } else if (d->s == ".shared") {
        if (!parseVarDecl(Space::Shared, isExtern, true))
          return false;
      } else if (d->s == ".global") {
        if (!parseVarDecl(Space::Global, isExtern, true))
          return false;
      } else {
        return fail(d->line, "'%s' declarations are not supported",
                    d->s.c_str());
      }
    } else {
      return fail(t.line, "unsupported module-scope token '%s'", t.s.c_str());
    }
  }
  return true;
}

qlp_ptx_module *Parser::parse(std::string &errOut) {
  mod.reset(new qlp_ptx_module);
  if (!lex(text, size, toks, err) || !parseTopLevel()) {
    errOut = err;
    return nullptr;
  }
  return mod.release();
}


//===----------------------------------------------------------------------===//
// Instruction decoding
//===----------------------------------------------------------------------===//

/// Register and element counts of one integer mma.sync shape (PTX ISA,
/// "Matrix Fragments for mma.m*n*k*").
struct MmaShape {
  unsigned m, n, k, elemBits, minSm;
};

const MmaShape kMmaShapes[] = {
    {8, 8, 16, 8, 75},   {16, 8, 16, 8, 80},  {16, 8, 32, 8, 80},
    {8, 8, 32, 4, 75},   {16, 8, 32, 4, 80},  {16, 8, 64, 4, 80},
    {8, 8, 128, 1, 75},  {16, 8, 128, 1, 80}, {16, 8, 256, 1, 80}};

bool Parser::decode(const std::string &opcode, std::vector<Arg> &args,
                    Inst &in) {
  std::vector<std::string> mods;
  {
    size_t b = 0;
    for (;;) {
      size_t e = opcode.find('.', b);
      mods.push_back(opcode.substr(b, e == std::string::npos ? e : e - b));
      if (e == std::string::npos)
        break;
      b = e + 1;
    }
  }
  std::string base = mods[0];
  mods.erase(mods.begin());
  const char *op = opcode.c_str();
  int line = in.line;

  auto take = [&](const char *m) {
    auto it = std::find(mods.begin(), mods.end(), m);
    if (it == mods.end())
      return false;
    mods.erase(it);
    return true;
  };
  auto takeFirst = [&](std::initializer_list<const char *> ms, int &which) {
    int i = 0;
    for (const char *m : ms) {
      if (take(m)) {
        which = i;
        return true;
      }
      ++i;
    }
    return false;
  };
  auto takeTypes = [&]() {
    std::vector<Ty> ts;
    for (auto it = mods.begin(); it != mods.end();) {
      Ty t;
      if (parseType(*it, t)) {
        ts.push_back(t);
        it = mods.erase(it);
      } else {
        ++it;
      }
    }
    return ts;
  };
  auto done = [&]() {
    if (!mods.empty())
      return fail(line, "unsupported instruction '%s' (modifier '.%s')", op,
                  mods[0].c_str());
    return true;
  };
  auto nargs = [&](size_t lo, size_t hi) {
    if (args.size() < lo || args.size() > hi)
      return fail(line, "'%s': wrong number of operands (%zu)", op,
                  args.size());
    return true;
  };
  // Takes exactly one instruction type of the given kinds and width range.
  auto oneType = [&](std::initializer_list<TK> kinds, unsigned lo,
                     unsigned hi) {
    std::vector<Ty> ts = takeTypes();
    if (ts.size() != 1)
      return fail(line, "'%s': expected one instruction type", op);
    Ty t = ts[0];
    bool ok = std::find(kinds.begin(), kinds.end(), t.k) != kinds.end() &&
              ((t.bits >= lo && t.bits <= hi) || t.k == TK::Pred);
    if (!ok)
      return fail(line, "unsupported instruction '%s' (type not supported)",
                  op);
    in.t = t;
    return true;
  };
  auto opnds = [&](size_t n) { in.o.assign(n, Opnd()); };
  // `n` operands, all 32-bit registers or immediates, the first written.
  auto b32Operands = [&](size_t n) {
    opnds(n);
    for (size_t i = 0; i < n; ++i)
      if (!operand(args[i], in.o[i], 32, i ? AllowImm : IsDst, in))
        return false;
    return true;
  };
  // The packed .s16x2 / .u16x2 types of add, sub, min and max: the
  // instruction type is the 16-bit lane type, the operands are 32-bit.
  auto packedForm = [&]() {
    int which;
    if (!takeFirst({"s16x2", "u16x2"}, which))
      return false;
    in.packed = true;
    in.t = {which == 0 ? TK::S : TK::U, 16};
    return true;
  };

  // Arithmetic ----------------------------------------------------------
  if (base == "add" || base == "sub" || base == "addc" || base == "subc") {
    in.op = base[0] == 'a' ? Op::Add : Op::Sub;
    in.ccIn = base.size() == 4;
    in.ccOut = take("cc");
    in.sat = take("sat");
    if (packedForm()) {
      if (in.ccIn || in.ccOut || in.sat)
        return fail(line, "'%s': packed 16x2 forms take no .cc or .sat", op);
      return done() && nargs(3, 3) && b32Operands(3);
    }
    if (!oneType({TK::U, TK::S}, 16, 64) || !done() || !nargs(3, 3))
      return false;
    if (in.sat && (in.t.k != TK::S || in.t.bits != 32 || in.ccOut))
      return fail(line, "'%s': .sat requires .s32", op);
    if ((in.ccIn || in.ccOut) && in.t.bits < 32)
      return fail(line, "'%s': carry forms need a 32- or 64-bit type", op);
    unsigned b = in.t.bits;
    opnds(3);
    return operand(args[0], in.o[0], b, IsDst, in) &&
           operand(args[1], in.o[1], b, AllowImm, in) &&
           operand(args[2], in.o[2], b, AllowImm, in);
  }
  if (base == "mul" || base == "mad") {
    in.op = base == "mul" ? Op::Mul : Op::Mad;
    int mode;
    if (!takeFirst({"lo", "hi", "wide"}, mode))
      return fail(line, "unsupported instruction '%s' (needs .lo/.hi/.wide)",
                  op);
    in.mode = (uint8_t)mode;
    if (!oneType({TK::U, TK::S}, 16, 64) || !done())
      return false;
    if (in.mode == MM_Wide && in.t.bits == 64)
      return fail(line, "'%s': .wide needs a 16- or 32-bit type", op);
    unsigned b = in.t.bits, db = in.mode == MM_Wide ? 2 * b : b;
    size_t n = in.op == Op::Mul ? 3 : 4;
    if (!nargs(n, n))
      return false;
    opnds(n);
    if (!operand(args[0], in.o[0], db, IsDst, in) ||
        !operand(args[1], in.o[1], b, AllowImm, in) ||
        !operand(args[2], in.o[2], b, AllowImm, in))
      return false;
    return n == 3 || operand(args[3], in.o[3], db, AllowImm, in);
  }
  struct Simple {
    const char *name;
    Op op;
    std::initializer_list<TK> kinds;
    unsigned lo, hi, nsrc;
  };
  static const Simple simple[] = {
      {"div", Op::Div, {TK::U, TK::S}, 16, 64, 2},
      {"rem", Op::Rem, {TK::U, TK::S}, 16, 64, 2},
      {"abs", Op::Abs, {TK::S}, 16, 64, 1},
      {"neg", Op::Neg, {TK::S}, 16, 64, 1},
      {"min", Op::Min, {TK::U, TK::S}, 16, 64, 2},
      {"max", Op::Max, {TK::U, TK::S}, 16, 64, 2},
      {"and", Op::And, {TK::B, TK::Pred}, 16, 64, 2},
      {"or", Op::Or, {TK::B, TK::Pred}, 16, 64, 2},
      {"xor", Op::Xor, {TK::B, TK::Pred}, 16, 64, 2},
      {"not", Op::Not, {TK::B, TK::Pred}, 16, 64, 1},
      {"cnot", Op::Cnot, {TK::B}, 16, 64, 1},
      {"brev", Op::Brev, {TK::B}, 32, 64, 1},
  };
  for (const Simple &s : simple) {
    if (base != s.name)
      continue;
    in.op = s.op;
    if ((s.op == Op::Min || s.op == Op::Max) && packedForm()) {
      return done() && nargs(3, 3) && b32Operands(3);
    }
    if (!oneType(s.kinds, s.lo, s.hi) || !done() ||
        !nargs(s.nsrc + 1, s.nsrc + 1))
      return false;
    opnds(s.nsrc + 1);
    if (in.t.k == TK::Pred) {
      for (unsigned i = 0; i <= s.nsrc; ++i)
        if (!predOperand(args[i], in.o[i], in, false))
          return false;
      return true;
    }
    if (!operand(args[0], in.o[0], in.t.bits, IsDst, in))
      return false;
    for (unsigned i = 1; i <= s.nsrc; ++i)
      if (!operand(args[i], in.o[i], in.t.bits, AllowImm, in))
        return false;
    return true;
  }
  if (base == "shl" || base == "shr") {
    in.op = base == "shl" ? Op::Shl : Op::Shr;
    if (in.op == Op::Shl ? !oneType({TK::B}, 16, 64)
                         : !oneType({TK::B, TK::U, TK::S}, 16, 64))
      return false;
    if (!done() || !nargs(3, 3))
      return false;
    opnds(3);
    // The shift amount is always a .u32 operand.
    return operand(args[0], in.o[0], in.t.bits, IsDst, in) &&
           operand(args[1], in.o[1], in.t.bits, AllowImm, in) &&
           operand(args[2], in.o[2], 32, AllowImm, in);
  }
  if (base == "shf") {
    // Funnel shift: shf.{l,r}.{wrap,clamp}.b32 d, a, b, c shifts the 64-bit
    // value b:a by c and keeps the upper (l) or lower (r) 32 bits.
    in.op = Op::Shf;
    int dir, mode;
    if (!takeFirst({"l", "r"}, dir) || !takeFirst({"wrap", "clamp"}, mode))
      return fail(line,
                  "unsupported instruction '%s' (needs .l/.r and .wrap/.clamp)",
                  op);
    in.mode = (uint8_t)dir;
    in.mode2 = (uint8_t)mode;
    return oneType({TK::B}, 32, 32) && done() && nargs(4, 4) &&
           b32Operands(4);
  }
  if (base == "popc" || base == "clz") {
    in.op = base == "popc" ? Op::Popc : Op::Clz;
    if (!oneType({TK::B}, 32, 64) || !done() || !nargs(2, 2))
      return false;
    opnds(2);
    return operand(args[0], in.o[0], 32, IsDst, in) &&
           operand(args[1], in.o[1], in.t.bits, AllowImm, in);
  }
  if (base == "bfe") {
    in.op = Op::Bfe;
    if (!oneType({TK::U, TK::S}, 32, 64) || !done() || !nargs(4, 4))
      return false;
    opnds(4);
    return operand(args[0], in.o[0], in.t.bits, IsDst, in) &&
           operand(args[1], in.o[1], in.t.bits, AllowImm, in) &&
           operand(args[2], in.o[2], 32, AllowImm, in) &&
           operand(args[3], in.o[3], 32, AllowImm, in);
  }
  if (base == "bfi") {
    in.op = Op::Bfi;
    if (!oneType({TK::B}, 32, 64) || !done() || !nargs(5, 5))
      return false;
    opnds(5);
    return operand(args[0], in.o[0], in.t.bits, IsDst, in) &&
           operand(args[1], in.o[1], in.t.bits, AllowImm, in) &&
           operand(args[2], in.o[2], in.t.bits, AllowImm, in) &&
           operand(args[3], in.o[3], 32, AllowImm, in) &&
           operand(args[4], in.o[4], 32, AllowImm, in);
  }
  if (base == "prmt") {
    in.op = Op::Prmt;
    // Only the generic form: the .f4e/.b4e/... modes are rejected by done().
    return oneType({TK::B}, 32, 32) && done() && nargs(4, 4) &&
           b32Operands(4);
  }
  if (base == "setp") {
    in.op = Op::Setp;
    int cmp, bop = -1;
    if (!takeFirst({"eq", "ne", "lt", "le", "gt", "ge", "lo", "ls", "hi",
                    "hs"},
                   cmp))
      return fail(line, "unsupported instruction '%s' (comparison)", op);
    if (takeFirst({"and", "or", "xor"}, bop))
      in.mode2 = (uint8_t)(bop + 1);
    if (!oneType({TK::B, TK::U, TK::S}, 16, 64) || !done())
      return false;
    // lo/ls/hi/hs are the unsigned spellings of lt/le/gt/ge.
    if (cmp >= 6) {
      if (in.t.k != TK::U)
        return fail(line, "'%s': lo/ls/hi/hs need an unsigned type", op);
      cmp -= 4;
    }
    if (in.t.k == TK::B && cmp > C_NE)
      return fail(line, "'%s': bit-size types only compare eq/ne", op);
    in.mode = (uint8_t)cmp;
    size_t n = in.mode2 ? 4 : 3;
    if (!nargs(n, n))
      return false;
    opnds(5);
    if (!predOperand(args[0], in.o[0], in, false))
      return false;
    if (args[0].pipe) {
      if (args[0].pipe->k == Arg::Sink)
        in.o[1].k = Opnd::Sink;
      else if (!predOperand(*args[0].pipe, in.o[1], in, false))
        return false;
    }
    if (!operand(args[1], in.o[2], in.t.bits, AllowImm, in) ||
        !operand(args[2], in.o[3], in.t.bits, AllowImm, in))
      return false;
    return n == 3 || predOperand(args[3], in.o[4], in, true);
  }
  if (base == "selp") {
    in.op = Op::Selp;
    // Floating-point selp only moves bits, which is exact.
    if (!oneType({TK::B, TK::U, TK::S, TK::F}, 16, 64) || !done() ||
        !nargs(4, 4))
      return false;
    opnds(4);
    return operand(args[0], in.o[0], in.t.bits, IsDst, in) &&
           operand(args[1], in.o[1], in.t.bits, AllowImm, in) &&
           operand(args[2], in.o[2], in.t.bits, AllowImm, in) &&
           predOperand(args[3], in.o[3], in, false);
  }
  if (base == "mov") {
    if (!oneType({TK::B, TK::U, TK::S, TK::F, TK::Pred}, 16, 64) || !done() ||
        !nargs(2, 2))
      return false;
    unsigned b = in.t.bits;
    if (in.t.k == TK::Pred) {
      in.op = Op::Mov;
      opnds(2);
      if (!predOperand(args[0], in.o[0], in, false))
        return false;
      if (args[1].k == Arg::Imm) {
        in.o[1].k = Opnd::Imm;
        in.o[1].imm = args[1].imm & 1;
        return true;
      }
      return predOperand(args[1], in.o[1], in, false);
    }
    if (args[0].k == Arg::Vec || args[1].k == Arg::Vec) {
      bool pack = args[1].k == Arg::Vec;
      const Arg &v = pack ? args[1] : args[0];
      size_t n = v.elems.size();
      if (in.t.k != TK::B || (n != 2 && n != 4) || b % n || b / n < 8)
        return fail(line, "'%s': unsupported vector form", op);
      in.op = pack ? Op::MovPack : Op::MovUnpack;
      in.vec = (uint8_t)n;
      opnds(n + 1);
      unsigned eb = b / n;
      if (pack) {
        if (!operand(args[0], in.o[0], b, IsDst, in))
          return false;
        for (size_t i = 0; i < n; ++i)
          if (!operand(v.elems[i], in.o[i + 1], eb, AllowImm, in))
            return false;
        return true;
      }
      for (size_t i = 0; i < n; ++i)
        if (!operand(v.elems[i], in.o[i], eb, IsDst | AllowSink, in))
          return false;
      return operand(args[1], in.o[n], b, 0, in);
    }
    in.op = Op::Mov;
    opnds(2);
    if (!operand(args[0], in.o[0], b, IsDst, in) ||
        !operand(args[1], in.o[1], b, AllowImm | AllowSreg | AllowSym, in))
      return false;
    if (in.o[1].k == Opnd::Sreg && b != 32)
      return fail(line, "'%s': special registers are 32 bits wide", op);
    return true;
  }
  if (base == "cvt") {
    in.op = Op::Cvt;
    in.sat = take("sat");
    std::vector<Ty> ts = takeTypes();
    if (!done())
      return false;
    if (ts.size() != 2 || !(ts[0].k == TK::U || ts[0].k == TK::S) ||
        !(ts[1].k == TK::U || ts[1].k == TK::S))
      return fail(line,
                  "unsupported instruction '%s' (only integer conversions)",
                  op);
    in.t = ts[0];
    in.t2 = ts[1];
    if (!nargs(2, 2))
      return false;
    opnds(2);
    // ld/st/cvt allow registers wider than the instruction type.
    return operand(args[0], in.o[0], in.t.bits, IsDst | Wider, in) &&
           operand(args[1], in.o[1], in.t2.bits, Wider | AllowImm, in);
  }
  if (base == "cvta") {
    in.op = Op::Cvta;
    in.flag = take("to"); // true: generic -> space
    if (take("global"))
      in.space = Space::Global;
    else if (take("shared") || take("shared::cta"))
      in.space = Space::Shared;
    else if (take("local"))
      in.space = Space::Local;
    else
      return fail(line, "unsupported instruction '%s' (state space)", op);
    if (!oneType({TK::U}, 32, 64) || !done() || !nargs(2, 2))
      return false;
    opnds(2);
    return operand(args[0], in.o[0], in.t.bits, IsDst, in) &&
           operand(args[1], in.o[1], in.t.bits, AllowImm | AllowSym, in);
  }

  // Memory ----------------------------------------------------------------
  if (base == "ld" || base == "st") {
    bool isLd = base == "ld";
    in.op = isLd ? Op::Ld : Op::St;
    if (take("global"))
      in.space = Space::Global;
    else if (take("shared") || take("shared::cta"))
      in.space = Space::Shared;
    else if (take("local"))
      in.space = Space::Local;
    else if (take("param") || take("param::entry"))
      in.space = Space::Param;
    if (take("v2"))
      in.vec = 2;
    else if (take("v4"))
      in.vec = 4;
    // Ordering and cache qualifiers do not change single-threaded-at-a-time
    // semantics: every access is performed in program order.
    int dummy;
    if (takeFirst({"relaxed", "acquire", "release"}, dummy) &&
        !takeFirst({"cta", "cluster", "gpu", "sys"}, dummy))
      return fail(line, "'%s': ordering qualifier needs a scope", op);
    take("weak");
    take("volatile");
    if (isLd) {
      if (take("nc") && in.space != Space::Global)
        return fail(line, "'%s': .nc needs .global", op);
      takeFirst({"ca", "cg", "cs", "lu", "cv"}, dummy);
    } else {
      takeFirst({"wb", "cg", "cs", "wt"}, dummy);
    }
    takeFirst({"L1::evict_normal", "L1::evict_unchanged", "L1::evict_first",
               "L1::evict_last", "L1::no_allocate"},
              dummy);
    takeFirst({"L2::64B", "L2::128B", "L2::256B"}, dummy);
    if (!oneType({TK::B, TK::U, TK::S, TK::F}, 8, 64) || !done() ||
        !nargs(2, 2))
      return false;
    if (in.space == Space::Param && !isLd)
      return fail(line, "'%s': stores to kernel parameters are not allowed",
                  op);
    const Arg &data = isLd ? args[0] : args[1];
    const Arg &addr = isLd ? args[1] : args[0];
    opnds(in.vec + 1);
    unsigned fl = isLd ? IsDst | Wider : Wider | AllowImm;
    if (in.vec > 1) {
      if (data.k != Arg::Vec || data.elems.size() != in.vec)
        return fail(line, "'%s': expected a %u-element vector", op, in.vec);
      for (unsigned i = 0; i < in.vec; ++i)
        if (!operand(data.elems[i], in.o[i], in.t.bits,
                     fl | (isLd ? (unsigned)AllowSink : 0u), in))
          return false;
    } else if (!operand(data, in.o[0], in.t.bits, fl, in)) {
      return false;
    }
    if (!addrOperand(addr, in.o[in.vec], in.space, in))
      return false;
    if (in.space == Space::Param && in.o[in.vec].k != Opnd::Imm)
      return fail(line, "'%s': parameters must be addressed by name", op);
    return true;
  }
  if (base == "cp") {
    if (!take("async"))
      return fail(line, "unsupported instruction '%s'", op);
    if (take("commit_group")) {
      in.op = Op::CpCommit;
      return done() && nargs(0, 0);
    }
    if (take("wait_all")) {
      in.op = Op::CpWaitAll;
      return done() && nargs(0, 0);
    }
    if (take("wait_group")) {
      in.op = Op::CpWait;
      if (!done() || !nargs(1, 1))
        return false;
      if (args[0].k != Arg::Imm || args[0].imm < 0)
        return fail(line, "'%s' needs an integer constant", op);
      opnds(1);
      in.o[0].k = Opnd::Imm;
      in.o[0].imm = args[0].imm;
      return true;
    }
    int cop;
    if (!takeFirst({"ca", "cg"}, cop) ||
        !(take("shared") || take("shared::cta")) || !take("global"))
      return fail(line, "unsupported instruction '%s'", op);
    int dummy;
    takeFirst({"L2::64B", "L2::128B", "L2::256B"}, dummy);
    if (!done() || !nargs(3, 4))
      return false;
    in.op = Op::CpAsync;
    if (args[2].k != Arg::Imm ||
        !(args[2].imm == 4 || args[2].imm == 8 || args[2].imm == 16) ||
        (cop == 1 && args[2].imm != 16))
      return fail(line, "'%s': cp-size must be 4, 8 or 16 (16 for .cg)", op);
    in.k = (uint16_t)args[2].imm;
    opnds(3);
    Space sh = Space::Shared, gl = Space::Global;
    if (!addrOperand(args[0], in.o[0], sh, in) ||
        !addrOperand(args[1], in.o[1], gl, in))
      return false;
    if (args.size() == 4) {
      RegInfo r;
      if (args[3].k == Arg::Reg && lookupReg(args[3].name, r) && r.bits == 1) {
        in.mode = 2; // ignore-src predicate
        return predOperand(args[3], in.o[2], in, false);
      }
      in.mode = 1; // src-size
      return operand(args[3], in.o[2], 32, AllowImm, in);
    }
    return true;
  }

  // Control flow and synchronization -----------------------------------------
  if (base == "bra") {
    in.op = Op::Bra;
    in.flag = take("uni");
    if (!done() || !nargs(1, 1))
      return false;
    if (args[0].k != Arg::Sym)
      return fail(line, "'%s': expected a label", op);
    branches.push_back({kern->code.size(), args[0].name, line});
    return true;
  }
  if (base == "ret" || base == "exit") {
    in.op = Op::Exit;
    return done() && nargs(0, 0);
  }
  if (base == "bar" || base == "barrier") {
    take("cta");
    in.op = Op::Bar;
    if (base == "bar" && take("warp")) {
      if (!take("sync") || !done() || !nargs(1, 1))
        return fail(line, "unsupported instruction '%s'", op);
      in.mode2 = 1;
      opnds(1);
      return operand(args[0], in.o[0], 32, AllowImm, in);
    }
    if (!take("sync"))
      return fail(line, "unsupported instruction '%s' (only .sync)", op);
    // bar.sync is barrier.sync.aligned.
    in.flag = base == "bar" || take("aligned");
    if (!done() || !nargs(1, 2))
      return false;
    opnds(2);
    if (!operand(args[0], in.o[0], 32, AllowImm, in))
      return false;
    return args.size() == 1 || operand(args[1], in.o[1], 32, AllowImm, in);
  }
  if (base == "membar" || base == "fence") {
    // The emulator performs every memory access immediately and in order,
    // which is a legal (sequentially consistent) execution.
    int dummy;
    if (base == "membar" ? !takeFirst({"cta", "gl", "sys"}, dummy)
                         : !(takeFirst({"sc", "acq_rel"}, dummy) &&
                             takeFirst({"cta", "cluster", "gpu", "sys"}, dummy)))
      return fail(line, "unsupported instruction '%s'", op);
    in.op = Op::Nop;
    return done() && nargs(0, 0);
  }

  // Warp-level --------------------------------------------------------------
  if (base == "shfl") {
    int mode;
    if (!take("sync") || !takeFirst({"up", "down", "bfly", "idx"}, mode))
      return fail(line, "unsupported instruction '%s' (only shfl.sync)", op);
    in.op = Op::Shfl;
    in.mode = (uint8_t)mode;
    if (!oneType({TK::B}, 32, 32) || !done() || !nargs(5, 5))
      return false;
    opnds(6);
    if (!operand(args[0], in.o[0], 32, IsDst, in))
      return false;
    if (args[0].pipe && !predOperand(*args[0].pipe, in.o[1], in, false))
      return false;
    return operand(args[1], in.o[2], 32, AllowImm, in) &&
           operand(args[2], in.o[3], 32, AllowImm, in) &&
           operand(args[3], in.o[4], 32, AllowImm, in) &&
           operand(args[4], in.o[5], 32, AllowImm, in);
  }
  if (base == "vote") {
    int mode;
    if (!take("sync") || !takeFirst({"all", "any", "uni", "ballot"}, mode))
      return fail(line, "unsupported instruction '%s' (only vote.sync)", op);
    in.op = Op::Vote;
    in.mode = (uint8_t)mode;
    bool ballot = mode == V_Ballot;
    if (!(ballot ? oneType({TK::B}, 32, 32) : oneType({TK::Pred}, 1, 1)) ||
        !done() || !nargs(3, 3))
      return false;
    opnds(3);
    if (ballot ? !operand(args[0], in.o[0], 32, IsDst, in)
               : !predOperand(args[0], in.o[0], in, false))
      return false;
    return predOperand(args[1], in.o[1], in, true) &&
           operand(args[2], in.o[2], 32, AllowImm, in);
  }
  if (base == "activemask") {
    in.op = Op::ActiveMask;
    if (!oneType({TK::B}, 32, 32) || !done() || !nargs(1, 1))
      return false;
    opnds(1);
    return operand(args[0], in.o[0], 32, IsDst, in);
  }
  if (base == "ldmatrix") {
    int num;
    if (!take("sync") || !take("aligned") || !take("m8n8") ||
        !takeFirst({"x1", "x2", "x4"}, num))
      return fail(line, "unsupported instruction '%s'", op);
    in.op = Op::Ldmatrix;
    in.vec = (uint8_t)(1u << num);
    in.flag = take("trans");
    in.space = take("shared") || take("shared::cta") ? Space::Shared
                                                     : Space::Generic;
    if (!take("b16") || !done() || !nargs(2, 2))
      return fail(line, "unsupported instruction '%s'", op);
    if (kern->module->sm < 75)
      return fail(line, "'%s' needs sm_75", op);
    if (args[0].k != Arg::Vec || args[0].elems.size() != in.vec)
      return fail(line, "'%s': expected %u destination registers", op,
                  in.vec);
    opnds(in.vec + 1);
    for (unsigned i = 0; i < in.vec; ++i)
      if (!operand(args[0].elems[i], in.o[i], 32, IsDst, in))
        return false;
    return addrOperand(args[1], in.o[in.vec], in.space, in);
  }
  if (base == "mma") {
    in.op = Op::Mma;
    if (!take("sync") || !take("aligned"))
      return fail(line, "unsupported instruction '%s'", op);
    if (mods.empty())
      return fail(line, "unsupported instruction '%s' (shape)", op);
    std::string shapeName = mods[0];
    mods.erase(mods.begin());
    if (mods.size() >= 2 && mods[0] == "row" && mods[1] == "col")
      mods.erase(mods.begin(), mods.begin() + 2);
    else
      mods.insert(mods.begin(), "?");
    if (mods[0] == "?")
      return fail(line, "unsupported instruction '%s' (layout must be "
                        ".row.col)", op);
    in.sat = take("satfinite");
    // Remaining: .s32 .atype .btype .s32 [.xor|.and .popc]
    if (mods.size() < 4 || mods[0] != "s32" || mods[3] != "s32")
      return fail(line, "unsupported instruction '%s' (types)", op);
    auto elemTy = [](const std::string &s, Ty &t) {
      if (s == "s8") t = {TK::S, 8};
      else if (s == "u8") t = {TK::U, 8};
      else if (s == "s4") t = {TK::S, 4};
      else if (s == "u4") t = {TK::U, 4};
      else if (s == "b1") t = {TK::B, 1};
      else return false;
      return true;
    };
    if (!elemTy(mods[1], in.t2) || !elemTy(mods[2], in.t3) ||
        in.t2.bits != in.t3.bits)
      return fail(line, "unsupported instruction '%s' (types)", op);
    mods.erase(mods.begin(), mods.begin() + 4);
    in.t = {TK::S, 32};
    const MmaShape *shape = nullptr;
    for (const MmaShape &s : kMmaShapes)
      if ("m" + std::to_string(s.m) + "n" + std::to_string(s.n) + "k" +
                  std::to_string(s.k) == shapeName &&
          s.elemBits == in.t2.bits)
        shape = &s;
    if (!shape)
      return fail(line, "unsupported instruction '%s' (shape/type)", op);
    if (in.t2.bits == 1) {
      int bop;
      if (!takeFirst({"xor", "and"}, bop) || !take("popc") || in.sat)
        return fail(line, "'%s': .b1 needs .xor.popc or .and.popc", op);
      in.mode = (uint8_t)(bop + 1);
    }
    if (!done() || !nargs(4, 4))
      return false;
    unsigned minSm = shape->minSm;
    if (in.mode == 2)
      minSm = 80;
    if (kern->module->sm < minSm)
      return fail(line, "'%s' needs sm_%u (target is sm_%u)", op, minSm,
                  kern->module->sm);
    in.m = (uint16_t)shape->m;
    in.n = (uint16_t)shape->n;
    in.k = (uint16_t)shape->k;
    unsigned epr = 32 / shape->elemBits;
    unsigned na = shape->m * shape->k / 32 / epr;
    unsigned nb = shape->k * shape->n / 32 / epr;
    unsigned nc = shape->m * shape->n / 32;
    unsigned counts[4] = {nc, na, nb, nc};
    opnds(2 * nc + na + nb);
    size_t oi = 0;
    for (unsigned g = 0; g < 4; ++g) {
      if (args[g].k != Arg::Vec || args[g].elems.size() != counts[g])
        return fail(line, "'%s': operand %u must be a vector of %u registers",
                    op, g, counts[g]);
      for (unsigned i = 0; i < counts[g]; ++i)
        if (!operand(args[g].elems[i], in.o[oi++], 32, g ? 0u : (unsigned)IsDst, in))
          return false;
    }
    return true;
  }
  if (base == "call")
    return fail(line, "unsupported instruction '%s' (calls)", op);
  return fail(line, "unsupported instruction '%s'", op);
}

//===----------------------------------------------------------------------===//
// Execution
//===----------------------------------------------------------------------===//

/// A cp.async copy that has been issued but not completed. The source was
/// read at issue; the shared destination is written at completion.
struct PendingCopy {
  uint32_t issued; // barrier interval of the issue (race detection)
  uint32_t dst;
  uint8_t size;
  int32_t group; // -1: not yet committed
  uint8_t data[16];
};

struct Warp {
  uint32_t exist = 0;  // lanes that are threads of the block
  uint32_t exited = 0; // lanes that executed ret/exit
  uint32_t atBar = 0;  // lanes waiting at a barrier
  uint32_t pc[32];
  uint32_t barId[32];
  uint32_t tid[3][32];
  uint8_t cf[32]; // CC.CF carry flag
  uint32_t first = 0; // linear thread index of lane 0
  std::vector<uint64_t> R;
  std::vector<PendingCopy> pend[32];
  int32_t committed[32];
};

inline bool isControl(const Inst &in) {
  return in.op == Op::Bra || in.op == Op::Exit ||
         (in.op == Op::Bar && in.mode2 == 0);
}

#define FOR_LANES(m)                                                           \
  for (uint32_t mm_ = (m), l = 0; mm_ && ((l = __builtin_ctz(mm_)), true);     \
       mm_ &= mm_ - 1)

class Executor {
public:
  explicit Executor(const qlp_ptx_kernel &k) : K(k) {}
  bool launch(const unsigned g[3], const unsigned b[3], unsigned dyn,
              void **params);
  std::string err;

private:
  const qlp_ptx_kernel &K;
  uint32_t grid[3] = {}, blk[3] = {}, cta[3] = {};
  std::vector<uint8_t> param, smem, local;
  uint64_t smemSize = 0;
  /// Race detection (see the file comment): the barrier interval, counted
  /// over the whole launch, and per shared byte the interval and warp of its
  /// last write and of its last reads (kManyWarps: several warps read it).
  static constexpr uint16_t kManyWarps = 0xffff;
  uint32_t interval = 0;
  std::vector<uint32_t> writeInterval, readInterval;
  std::vector<uint16_t> writeWarp, readWarp;
  uint32_t nthreads = 0;
  std::vector<Warp> warps;
  Warp *W = nullptr;
  uint64_t *R = nullptr;
  uint64_t steps = 0;
  uint64_t maxSteps = kDefaultMaxStepsPerBlock;

  bool fail(const Inst &in, unsigned lane, const char *fmt, ...);
  bool failLaunch(const char *fmt, ...);

  uint64_t sreg(uint8_t s, unsigned l) const {
    switch (s) {
    case SR_TidX: return W->tid[0][l];
    case SR_TidY: return W->tid[1][l];
    case SR_TidZ: return W->tid[2][l];
    case SR_NtidX: return blk[0];
    case SR_NtidY: return blk[1];
    case SR_NtidZ: return blk[2];
    case SR_CtaidX: return cta[0];
    case SR_CtaidY: return cta[1];
    case SR_CtaidZ: return cta[2];
    case SR_NctaidX: return grid[0];
    case SR_NctaidY: return grid[1];
    case SR_NctaidZ: return grid[2];
    case SR_LaneId: return l;
    case SR_LanemaskEq: return 1u << l;
    case SR_LanemaskLe: return (uint32_t)((2ull << l) - 1);
    case SR_LanemaskLt: return (1u << l) - 1;
    case SR_LanemaskGe: return ~((1u << l) - 1);
    case SR_LanemaskGt: return ~(uint32_t)((2ull << l) - 1);
    }
    return 0;
  }
  uint64_t V(const Opnd &o, unsigned l) const {
    switch (o.k) {
    case Opnd::Reg: return R[(size_t)o.slot * 32 + l] ^ (uint64_t)o.neg;
    case Opnd::Imm: return (uint64_t)o.imm;
    case Opnd::Sreg: return sreg(o.sreg, l);
    default: return 0;
    }
  }
  void Wr(const Opnd &o, unsigned l, uint64_t v) {
    if (o.k == Opnd::Reg)
      R[(size_t)o.slot * 32 + l] = v & maskOf(o.bits);
  }
  uint64_t addr(const Opnd &o, unsigned l) const {
    return o.k == Opnd::Reg ? R[(size_t)o.slot * 32 + l] + (uint64_t)o.imm
                            : (uint64_t)o.imm;
  }
  uint8_t *mem(const Inst &in, unsigned l, Space sp, uint64_t a, unsigned n,
               bool write, bool track = true);
  bool trackShared(const Inst &in, unsigned l, uint64_t a, unsigned n,
                   bool write, uint32_t since);
  void nextInterval();
  bool runBlock();
  bool runWarp(Warp &w);
  bool exec(const Inst &in, uint32_t mask, uint32_t pc);
  bool execControl(const Inst &in, uint32_t mask, uint32_t pc);
  bool fullWarp(const Inst &in, uint32_t mask, uint32_t em);
  bool syncMask(const Inst &in, uint32_t mask, uint32_t em, uint32_t &member);
  bool complete(const Inst &in, unsigned l, int32_t upTo);
  bool execMma(const Inst &in);
  bool execLdmatrix(const Inst &in);
};

bool Executor::fail(const Inst &in, unsigned lane, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string msg = vformat(fmt, ap);
  va_end(ap);
  char where[160];
  snprintf(where, sizeof where,
           " (kernel %s, block (%u,%u,%u), thread (%u,%u,%u))",
           K.name.c_str(), cta[0], cta[1], cta[2], W->tid[0][lane],
           W->tid[1][lane], W->tid[2][lane]);
  err = "ptx line " + std::to_string(in.line) + ": '" + in.name + "': " +
        msg + where;
  return false;
}

bool Executor::failLaunch(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  err = "launch of kernel " + K.name + ": " + vformat(fmt, ap);
  va_end(ap);
  return false;
}

uint8_t *Executor::mem(const Inst &in, unsigned l, Space sp, uint64_t a,
                       unsigned n, bool write, bool track) {
  if (a & (n - 1)) {
    fail(in, l, "misaligned %s address 0x%llx for a %u-byte access",
         spaceName(sp), (unsigned long long)a, n);
    return nullptr;
  }
  if (sp == Space::Generic) {
    if (a - kSharedWindow < kWindowSize) {
      sp = Space::Shared;
      a -= kSharedWindow;
    } else if (a - kLocalWindow < kWindowSize) {
      sp = Space::Local;
      a -= kLocalWindow;
    } else {
      sp = Space::Global;
    }
  }
  switch (sp) {
  case Space::Shared:
    if (a > smemSize || smemSize - a < n) {
      fail(in, l,
           "out-of-bounds shared memory access at offset %lld (%u bytes; the "
           "block has %llu bytes of shared memory)",
           (long long)a, n, (unsigned long long)smemSize);
      return nullptr;
    }
    if (track && !trackShared(in, l, a, n, write, interval))
      return nullptr;
    return smem.data() + a;
  case Space::Local:
    if (a > K.localBytes || K.localBytes - a < n) {
      fail(in, l, "out-of-bounds local memory access at offset %lld",
           (long long)a);
      return nullptr;
    }
    return local.data() + (size_t)(W->first + l) * K.localBytes + a;
  case Space::Param:
    if (write || a > param.size() || param.size() - a < n) {
      fail(in, l, "bad kernel parameter access");
      return nullptr;
    }
    return param.data() + a;
  default:
    // Global addresses are host pointers. Null-page and non-canonical
    // addresses (e.g. a shared-window address used with .global) are bugs.
    if (a < 0x10000 || a >= (1ull << 57)) {
      fail(in, l, "invalid global address 0x%llx", (unsigned long long)a);
      return nullptr;
    }
    return reinterpret_cast<uint8_t *>((uintptr_t)a);
  }
}

bool Executor::trackShared(const Inst &in, unsigned l, uint64_t a,
                           unsigned n, bool write, uint32_t since) {
  uint16_t self = (uint16_t)(W - warps.data());
  for (uint64_t b = a; b < a + n; ++b) {
    // Another warp's write in this interval: the order of the two accesses
    // is undefined without a barrier between them.
    if (writeInterval[b] == interval && writeWarp[b] != self)
      return fail(in, l,
                  "shared memory race at offset %llu: %s by warp %u of a "
                  "byte that warp %u wrote since the last barrier",
                  (unsigned long long)b, write ? "write" : "read", self,
                  writeWarp[b]);
    if (write) {
      // A write (a cp.async one from its issue on) over another warp's read.
      if (readInterval[b] >= since && readInterval[b] != 0 &&
          readWarp[b] != self)
        return fail(in, l,
                    "shared memory race at offset %llu: write by warp %u of "
                    "a byte that %s read since the last barrier",
                    (unsigned long long)b, self,
                    readWarp[b] == kManyWarps ? "other warps" : "another warp");
      writeInterval[b] = interval;
      writeWarp[b] = self;
    } else if (readInterval[b] != interval) {
      readInterval[b] = interval;
      readWarp[b] = self;
    } else if (readWarp[b] != self) {
      readWarp[b] = kManyWarps;
    }
  }
  return true;
}

void Executor::nextInterval() {
  // Interval 0 marks "never accessed"; the counter restarts (clearing the
  // records) long before it could wrap.
  if (++interval >= (1u << 31)) {
    std::fill(writeInterval.begin(), writeInterval.end(), 0u);
    std::fill(readInterval.begin(), readInterval.end(), 0u);
    interval = 1;
  }
}

bool Executor::complete(const Inst &in, unsigned l, int32_t upTo) {
  std::vector<PendingCopy> &p = W->pend[l];
  size_t keep = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (upTo == INT32_MAX || (p[i].group >= 0 && p[i].group <= upTo)) {
      if (!trackShared(in, l, p[i].dst, p[i].size, true, p[i].issued))
        return false;
      memcpy(smem.data() + p[i].dst, p[i].data, p[i].size);
    } else {
      p[keep++] = p[i];
    }
  }
  p.resize(keep);
  return true;
}

/// Warp-collective .aligned instructions (mma.sync, ldmatrix) need all 32
/// lanes of the warp, converged and not predicated off.
bool Executor::fullWarp(const Inst &in, uint32_t mask, uint32_t em) {
  if (W->exist != ~0u)
    return fail(in, __builtin_ctz(mask),
                "warp-collective instruction reached by a partial warp "
                "(lanes 0x%08x exist)",
                W->exist);
  if (W->exited)
    return fail(in, __builtin_ctz(mask),
                "warp-collective instruction after lanes 0x%08x exited",
                W->exited);
  if (mask != ~0u)
    return fail(in, __builtin_ctz(mask),
                "warp-collective instruction executed by a divergent warp "
                "(converged lanes 0x%08x)",
                mask);
  if (em != mask)
    return fail(in, __builtin_ctz(mask),
                "warp-collective instruction predicated off for some lanes");
  return true;
}

/// .sync instructions with a membermask (shfl.sync, vote.sync): all
/// participating lanes pass the same mask, contain themselves, and every
/// non-exited lane of the mask participates now.
bool Executor::syncMask(const Inst &in, uint32_t mask, uint32_t em,
                        uint32_t &member) {
  const Opnd &mo = in.o.back();
  if (!em)
    return true;
  member = (uint32_t)V(mo, __builtin_ctz(em));
  FOR_LANES(em) {
    if ((uint32_t)V(mo, l) != member)
      return fail(in, l, "membermask differs between lanes");
    if (!(member >> l & 1))
      return fail(in, l, "executing lane %u is not in membermask 0x%08x", l,
                  member);
  }
  uint32_t need = member & W->exist & ~W->exited;
  if (need & ~em)
    return fail(in, __builtin_ctz(em),
                "lanes 0x%08x of membermask 0x%08x do not execute this "
                "instruction together with lanes 0x%08x",
                need & ~em, member, em);
  (void)mask;
  return true;
}

bool Executor::execControl(const Inst &in, uint32_t mask, uint32_t pc) {
  Warp &w = *W;
  uint32_t em = mask;
  if (in.guard >= 0) {
    em = 0;
    FOR_LANES(mask) {
      if ((R[(size_t)in.guard * 32 + l] & 1) != (uint64_t)in.guardNeg)
        em |= 1u << l;
    }
  }
  switch (in.op) {
  case Op::Bra:
    if (in.flag && em && em != mask)
      return fail(in, __builtin_ctz(mask),
                  "bra.uni with a condition that differs between lanes");
    FOR_LANES(mask) { w.pc[l] = (em >> l & 1) ? (uint32_t)in.target : pc + 1; }
    return true;
  case Op::Exit:
    FOR_LANES(mask) {
      if (em >> l & 1) {
        w.pend[l].clear();
        w.exited |= 1u << l;
      } else {
        w.pc[l] = pc + 1;
      }
    }
    return true;
  case Op::Bar: {
    // Lanes of the warp that are elsewhere may still exit (the barrier only
    // waits for non-exited threads) or arrive here later; runBlock checks
    // that all waiting threads of an aligned barrier wait at the same
    // instruction. A predicate that differs between lanes is divergence.
    if (in.flag && em != mask)
      return fail(in, __builtin_ctz(mask),
                  "aligned barrier predicated off for some lanes of the "
                  "warp (lanes 0x%08x of 0x%08x)",
                  em, mask);
    FOR_LANES(mask) {
      if (!(em >> l & 1)) {
        w.pc[l] = pc + 1;
        continue;
      }
      uint64_t id = V(in.o[0], l);
      if (id > 15)
        return fail(in, l, "barrier id %llu out of range",
                    (unsigned long long)id);
      if (in.o[1].k != Opnd::None) {
        // Named barriers over a subset of warps are not implemented.
        uint64_t cnt = V(in.o[1], l);
        if (cnt != ((nthreads + 31) & ~31u))
          return fail(in, l,
                      "barrier thread count %llu (only the whole block, %u, "
                      "is supported)",
                      (unsigned long long)cnt, (nthreads + 31) & ~31u);
      }
      w.barId[l] = (uint32_t)id;
      w.atBar |= 1u << l;
    }
    return true;
  }
  default:
    return fail(in, __builtin_ctz(mask), "internal error: not a control op");
  }
}

bool Executor::runWarp(Warp &w) {
  W = &w;
  R = w.R.data();
  const Inst *code = K.code.data();
  const uint32_t ncode = (uint32_t)K.code.size();
  for (;;) {
    uint32_t run = w.exist & ~w.exited & ~w.atBar;
    if (!run)
      return true;
    uint32_t pc = UINT32_MAX, mask = 0;
    FOR_LANES(run) { pc = std::min(pc, w.pc[l]); }
    FOR_LANES(run) {
      if (w.pc[l] == pc)
        mask |= 1u << l;
    }
    // Run the converged lanes straight-line until control flow or until
    // they reach the PC of other lanes.
    for (;;) {
      if (pc >= ncode) { // fell off the end of the kernel: exit
        FOR_LANES(mask) { w.pend[l].clear(); }
        w.exited |= mask;
        break;
      }
      const Inst &in = code[pc];
      if (++steps > maxSteps)
        return fail(in, __builtin_ctz(mask),
                    "instruction limit exceeded (infinite loop?)");
      if (isControl(in)) {
        FOR_LANES(mask) { w.pc[l] = pc; }
        if (!execControl(in, mask, pc))
          return false;
        break;
      }
      if (!exec(in, mask, pc))
        return false;
      ++pc;
      if (mask != run) {
        FOR_LANES(mask) { w.pc[l] = pc; }
        break;
      }
    }
  }
}

bool Executor::runBlock() {
  // Shared and local memory start with a fixed non-zero pattern, so a read
  // of uninitialized memory is deterministic but unlikely to look right.
  memset(smem.data(), 0xa5, smem.size());
  memset(local.data(), 0xa5, local.size());
  for (Warp &w : warps) {
    w.exited = w.atBar = 0;
    std::fill(std::begin(w.pc), std::end(w.pc), 0u);
    std::fill(std::begin(w.cf), std::end(w.cf), 0);
    std::fill(std::begin(w.committed), std::end(w.committed), 0);
    std::fill(w.R.begin(), w.R.end(), 0ull);
    for (auto &p : w.pend)
      p.clear();
  }
  steps = 0;
  nextInterval();
  for (;;) {
    for (Warp &w : warps)
      if (!runWarp(w))
        return false;
    // No lane can run: every thread has exited or waits at a barrier.
    uint32_t waiting = 0;
    const Inst *first = nullptr;
    uint32_t firstId = 0, firstPc = 0;
    for (Warp &w : warps) {
      W = &w;
      FOR_LANES(w.atBar) {
        ++waiting;
        const Inst &in = K.code[w.pc[l]];
        if (!first) {
          first = &in;
          firstId = w.barId[l];
          firstPc = w.pc[l];
          continue;
        }
        if (w.barId[l] != firstId)
          return fail(in, l,
                      "barrier deadlock: threads wait at barrier %u and at "
                      "barrier %u",
                      w.barId[l], firstId);
        if ((in.flag || first->flag) && w.pc[l] != firstPc)
          return fail(in, l,
                      "threads wait at different aligned barrier "
                      "instructions (lines %d and %d)",
                      in.line, first->line);
      }
    }
    if (!waiting)
      return true;
    nextInterval();
    for (Warp &w : warps) {
      FOR_LANES(w.atBar) { w.pc[l] += 1; }
      w.atBar = 0;
    }
  }
}

bool Executor::launch(const unsigned g[3], const unsigned b[3], unsigned dyn,
                      void **params) {
  uint64_t nt = (uint64_t)b[0] * b[1] * b[2];
  if (!g[0] || !g[1] || !g[2] || !nt)
    return failLaunch("empty grid or block");
  if (nt > 1024 || b[2] > 64)
    return failLaunch("block of %llu threads exceeds the device limits",
                      (unsigned long long)nt);
  if (g[1] > 65535 || g[2] > 65535)
    return failLaunch("grid dimension exceeds 65535");
  if (K.maxntid[0] &&
      nt > (uint64_t)K.maxntid[0] * K.maxntid[1] * K.maxntid[2])
    return failLaunch("block of %llu threads exceeds .maxntid",
                      (unsigned long long)nt);
  if (K.reqntid[0] && (b[0] != K.reqntid[0] || b[1] != K.reqntid[1] ||
                       b[2] != K.reqntid[2]))
    return failLaunch("block shape differs from .reqntid");
  smemSize = std::max<uint64_t>(K.staticShared,
                                (K.hasDynShared ? K.dynSharedOffset
                                                : K.staticShared) +
                                    (uint64_t)dyn);
  if (smemSize > kMaxSharedBytes)
    return failLaunch("%llu bytes of shared memory exceed the limit",
                      (unsigned long long)smemSize);
  param.assign(K.paramBytes, 0);
  for (size_t i = 0; i < K.params.size(); ++i) {
    if (!params || !params[i])
      return failLaunch("missing value for parameter %zu", i);
    memcpy(param.data() + K.params[i].offset, params[i], K.params[i].size);
  }
  if (const char *e = getenv("QLP_PTX_MAX_STEPS"))
    maxSteps = strtoull(e, nullptr, 10);
  memcpy(grid, g, sizeof grid);
  memcpy(blk, b, sizeof blk);
  nthreads = (uint32_t)nt;
  smem.assign(smemSize, 0);
  interval = 0;
  writeInterval.assign(smemSize, 0);
  readInterval.assign(smemSize, 0);
  writeWarp.assign(smemSize, 0);
  readWarp.assign(smemSize, 0);
  local.assign((size_t)K.localBytes * nthreads, 0);
  warps.assign((nthreads + 31) / 32, Warp());
  for (size_t wi = 0; wi < warps.size(); ++wi) {
    Warp &w = warps[wi];
    w.first = (uint32_t)wi * 32;
    w.R.assign((size_t)K.slots * 32, 0);
    for (unsigned l = 0; l < 32; ++l) {
      uint32_t t = w.first + l;
      if (t < nthreads)
        w.exist |= 1u << l;
      w.tid[0][l] = t % b[0];
      w.tid[1][l] = t / b[0] % b[1];
      w.tid[2][l] = t / (b[0] * b[1]);
    }
  }
  for (cta[2] = 0; cta[2] < g[2]; ++cta[2])
    for (cta[1] = 0; cta[1] < g[1]; ++cta[1])
      for (cta[0] = 0; cta[0] < g[0]; ++cta[0])
        if (!runBlock())
          return false;
  return true;
}

bool Executor::execLdmatrix(const Inst &in) {
  // PTX ISA ldmatrix: lanes 8j..8j+7 give the row addresses of matrix j;
  // each row is eight 16-bit elements (16 bytes, 16-byte aligned). Lane l
  // receives row l/4, columns 2*(l%4) and 2*(l%4)+1 of each matrix (low
  // half first); with .trans the roles of rows and columns swap.
  unsigned num = in.vec;
  uint16_t mat[4][8][8];
  const Opnd &ao = in.o[num];
  for (unsigned j = 0; j < num; ++j)
    for (unsigned r = 0; r < 8; ++r) {
      unsigned lane = j * 8 + r;
      uint64_t a = addr(ao, lane);
      if (in.space == Space::Generic) {
        if (a - kSharedWindow >= kWindowSize)
          return fail(in, lane,
                      "generic address 0x%llx is not in the shared window",
                      (unsigned long long)a);
        a -= kSharedWindow;
      }
      uint8_t *p = mem(in, lane, Space::Shared, a, 16, false);
      if (!p)
        return false;
      memcpy(mat[j][r], p, 16);
    }
  for (unsigned l = 0; l < 32; ++l)
    for (unsigned j = 0; j < num; ++j) {
      unsigned r = l / 4, c = 2 * (l % 4);
      uint32_t lo = in.flag ? mat[j][c][r] : mat[j][r][c];
      uint32_t hi = in.flag ? mat[j][c + 1][r] : mat[j][r][c + 1];
      Wr(in.o[j], l, lo | hi << 16);
    }
  return true;
}

bool Executor::execMma(const Inst &in) {
  // Fragment layouts from the PTX ISA ("Matrix Fragments for mma.m8n8k16",
  // ".m16n8k32", ".m16n8k64", ...), with groupID = lane / 4 and
  // threadID_in_group = lane % 4, and E = 32 / element bits elements per
  // register (element e of a register is bits [e*bits, (e+1)*bits)):
  //   A, register r, element e: row = groupID (+ 8 if r is odd, M = 16),
  //        col = threadID_in_group * E + e (+ 4E if r >= 2)
  //   B, register r, element e: row = threadID_in_group * E + e + 4E * r,
  //        col = groupID
  //   C/D, element i: row = groupID (+ 8 if i >= 2), col = 2 *
  //        threadID_in_group + (i & 1)
  const unsigned M = in.m, N = in.n, Kd = in.k, eb = in.t2.bits;
  const unsigned E = 32 / eb;
  const unsigned na = M * Kd / 32 / E, nb = Kd * N / 32 / E, nc = M * N / 32;
  const Opnd *d = in.o.data(), *a = d + nc, *b = a + na, *c = b + nb;
  static thread_local int32_t A[16][256], B[256][8];
  int64_t C[16][8];
  const bool sa = in.t2.isSigned(), sb = in.t3.isSigned();
  for (unsigned l = 0; l < 32; ++l) {
    unsigned g = l >> 2, t = l & 3;
    for (unsigned r = 0; r < na; ++r) {
      uint64_t v = V(a[r], l);
      unsigned row = M == 8 ? g : g + 8 * (r & 1);
      unsigned col0 = t * E + (M == 16 ? 4 * E * (r >> 1) : 0);
      for (unsigned e = 0; e < E; ++e)
        A[row][col0 + e] = (int32_t)ext(v >> (e * eb), eb, sa);
    }
    for (unsigned r = 0; r < nb; ++r) {
      uint64_t v = V(b[r], l);
      for (unsigned e = 0; e < E; ++e)
        B[t * E + e + 4 * E * r][g] = (int32_t)ext(v >> (e * eb), eb, sb);
    }
    for (unsigned i = 0; i < nc; ++i)
      C[M == 8 ? g : g + 8 * (i >> 1)][2 * t + (i & 1)] =
          (int32_t)(uint32_t)V(c[i], l);
  }
  for (unsigned i = 0; i < M; ++i)
    for (unsigned j = 0; j < N; ++j) {
      int64_t s = C[i][j];
      if (eb == 1) {
        for (unsigned k = 0; k < Kd; ++k)
          s += in.mode == 1 ? (A[i][k] ^ B[k][j]) : (A[i][k] & B[k][j]);
      } else {
        for (unsigned k = 0; k < Kd; ++k)
          s += (int64_t)A[i][k] * B[k][j];
      }
      if (in.sat)
        s = std::min<int64_t>(std::max<int64_t>(s, INT32_MIN), INT32_MAX);
      C[i][j] = (int32_t)(uint32_t)s; // wraps modulo 2^32 without .satfinite
    }
  for (unsigned l = 0; l < 32; ++l) {
    unsigned g = l >> 2, t = l & 3;
    for (unsigned i = 0; i < nc; ++i)
      Wr(d[i], l, (uint64_t)C[M == 8 ? g : g + 8 * (i >> 1)][2 * t + (i & 1)]);
  }
  return true;
}

bool Executor::exec(const Inst &in, uint32_t mask, uint32_t pc) {
  (void)pc;
  uint32_t em = mask;
  if (in.guard >= 0) {
    em = 0;
    FOR_LANES(mask) {
      if ((R[(size_t)in.guard * 32 + l] & 1) != (uint64_t)in.guardNeg)
        em |= 1u << l;
    }
  }
  const Opnd *o = in.o.data();
  const unsigned bits = in.t.bits;
  const bool sgn = in.t.isSigned();
  switch (in.op) {
  case Op::Add:
  case Op::Sub: {
    bool add = in.op == Op::Add;
    if (in.packed) {
      // Each 16-bit half wraps on its own (no carry between the halves).
      FOR_LANES(em) {
        uint64_t x = V(o[1], l), y = V(o[2], l), r = 0;
        for (unsigned h = 0; h < 32; h += 16) {
          uint64_t a = (x >> h) & 0xffff, b = (y >> h) & 0xffff;
          r |= ((add ? a + b : a - b) & 0xffff) << h;
        }
        Wr(o[0], l, r);
      }
      return true;
    }
    if (in.ccIn || in.ccOut) {
      uint64_t m = maskOf(bits);
      FOR_LANES(em) {
        uint64_t x = V(o[1], l) & m, y = V(o[2], l) & m;
        uint64_t cin = in.ccIn ? W->cf[l] : 0, r, carry;
        if (add) {
          unsigned __int128 f = (unsigned __int128)x + y + cin;
          r = (uint64_t)f;
          carry = bits == 64 ? (uint64_t)(f >> 64) : (r >> bits) & 1;
        } else {
          // subc: d = a - (b + CF); borrow-out when a < b + CF.
          unsigned __int128 sub = (unsigned __int128)y + cin;
          r = x - y - cin;
          carry = (unsigned __int128)x < sub;
        }
        if (in.ccOut)
          W->cf[l] = (uint8_t)carry;
        Wr(o[0], l, r);
      }
      return true;
    }
    if (in.sat) {
      FOR_LANES(em) {
        int64_t x = sext(V(o[1], l), 32), y = sext(V(o[2], l), 32);
        int64_t r = add ? x + y : x - y;
        r = std::min<int64_t>(std::max<int64_t>(r, INT32_MIN), INT32_MAX);
        Wr(o[0], l, (uint64_t)r);
      }
      return true;
    }
    if (add) {
      FOR_LANES(em) { Wr(o[0], l, V(o[1], l) + V(o[2], l)); }
    } else {
      FOR_LANES(em) { Wr(o[0], l, V(o[1], l) - V(o[2], l)); }
    }
    return true;
  }
  case Op::Mul:
  case Op::Mad: {
    bool mad = in.op == Op::Mad;
    FOR_LANES(em) {
      uint64_t x = V(o[1], l), y = V(o[2], l), r;
      if (in.mode == MM_Lo) {
        r = x * y;
      } else if (in.mode == MM_Wide) {
        r = sgn ? (uint64_t)(sext(x, bits) * sext(y, bits))
                : (x & maskOf(bits)) * (y & maskOf(bits));
      } else if (bits == 64) {
        r = sgn ? (uint64_t)(((__int128)(int64_t)x * (__int128)(int64_t)y) >>
                             64)
                : (uint64_t)(((unsigned __int128)x * y) >> 64);
      } else {
        r = sgn ? (uint64_t)((sext(x, bits) * sext(y, bits)) >> bits)
                : ((x & maskOf(bits)) * (y & maskOf(bits))) >> bits;
      }
      if (mad)
        r += V(o[3], l);
      Wr(o[0], l, r);
    }
    return true;
  }
  case Op::Div:
  case Op::Rem: {
    bool div = in.op == Op::Div;
    FOR_LANES(em) {
      uint64_t x = V(o[1], l) & maskOf(bits), y = V(o[2], l) & maskOf(bits);
      if (!y)
        return fail(in, l, "integer division by zero (result unspecified)");
      uint64_t r;
      if (sgn) {
        int64_t sx = sext(x, bits), sy = sext(y, bits);
        if (sy == -1 && sx == sext(1ull << (bits - 1), bits))
          return fail(in, l, "signed division overflow (result unspecified)");
        r = (uint64_t)(div ? sx / sy : sx % sy);
      } else {
        r = div ? x / y : x % y;
      }
      Wr(o[0], l, r);
    }
    return true;
  }
  case Op::Abs:
    FOR_LANES(em) {
      int64_t x = sext(V(o[1], l), bits);
      Wr(o[0], l, x < 0 ? 0 - (uint64_t)x : (uint64_t)x);
    }
    return true;
  case Op::Neg:
    FOR_LANES(em) { Wr(o[0], l, 0 - V(o[1], l)); }
    return true;
  case Op::Min:
  case Op::Max: {
    bool mn = in.op == Op::Min;
    if (in.packed) {
      FOR_LANES(em) {
        uint64_t x = V(o[1], l), y = V(o[2], l), r = 0;
        for (unsigned h = 0; h < 32; h += 16) {
          uint64_t a = (x >> h) & 0xffff, b = (y >> h) & 0xffff;
          bool less = sgn ? sext(a, 16) < sext(b, 16) : a < b;
          r |= ((less == mn) ? a : b) << h;
        }
        Wr(o[0], l, r);
      }
      return true;
    }
    FOR_LANES(em) {
      uint64_t x = V(o[1], l), y = V(o[2], l);
      bool less = sgn ? sext(x, bits) < sext(y, bits)
                      : (x & maskOf(bits)) < (y & maskOf(bits));
      Wr(o[0], l, (less == mn) ? x : y);
    }
    return true;
  }
  case Op::And:
    FOR_LANES(em) { Wr(o[0], l, V(o[1], l) & V(o[2], l)); }
    return true;
  case Op::Or:
    FOR_LANES(em) { Wr(o[0], l, V(o[1], l) | V(o[2], l)); }
    return true;
  case Op::Xor:
    FOR_LANES(em) { Wr(o[0], l, V(o[1], l) ^ V(o[2], l)); }
    return true;
  case Op::Not:
    FOR_LANES(em) { Wr(o[0], l, ~V(o[1], l)); }
    return true;
  case Op::Cnot:
    FOR_LANES(em) { Wr(o[0], l, (V(o[1], l) & maskOf(bits)) == 0); }
    return true;
  case Op::Shl:
    FOR_LANES(em) {
      uint32_t s = (uint32_t)V(o[2], l);
      Wr(o[0], l, s >= bits ? 0 : V(o[1], l) << s);
    }
    return true;
  case Op::Shf:
    FOR_LANES(em) {
      // .wrap takes the amount modulo 32, .clamp caps it at 32 (PTX ISA).
      uint32_t c = (uint32_t)V(o[3], l);
      uint32_t n = in.mode2 == 0 ? (c & 31) : std::min<uint32_t>(c, 32);
      uint64_t pair = (V(o[2], l) & 0xffffffffull) << 32 |
                      (V(o[1], l) & 0xffffffffull);
      Wr(o[0], l, in.mode == 0 ? (pair << n) >> 32 : (pair >> n) & 0xffffffffull);
    }
    return true;
  case Op::Shr:
    // Shift amounts larger than the width clamp to the width (PTX ISA).
    FOR_LANES(em) {
      uint32_t s = std::min<uint32_t>((uint32_t)V(o[2], l), bits);
      uint64_t x = V(o[1], l);
      uint64_t r;
      if (sgn)
        r = (uint64_t)(sext(x, bits) >> std::min(s, 63u));
      else
        r = s >= 64 ? 0 : (x & maskOf(bits)) >> s;
      Wr(o[0], l, r);
    }
    return true;
  case Op::Setp:
    FOR_LANES(em) {
      uint64_t x = V(o[2], l), y = V(o[3], l);
      bool lt, eq;
      if (sgn) {
        lt = sext(x, bits) < sext(y, bits);
      } else {
        lt = (x & maskOf(bits)) < (y & maskOf(bits));
      }
      eq = ((x ^ y) & maskOf(bits)) == 0;
      bool t;
      switch (in.mode) {
      case C_EQ: t = eq; break;
      case C_NE: t = !eq; break;
      case C_LT: t = lt; break;
      case C_LE: t = lt || eq; break;
      case C_GT: t = !lt && !eq; break;
      default: t = !lt; break;
      }
      bool c = in.mode2 ? (V(o[4], l) & 1) : false;
      auto comb = [&](bool v) {
        switch (in.mode2) {
        case BO_And: return v && c;
        case BO_Or: return v || c;
        case BO_Xor: return v != c;
        default: return v;
        }
      };
      Wr(o[0], l, comb(t));
      Wr(o[1], l, comb(!t));
    }
    return true;
  case Op::Selp:
    FOR_LANES(em) { Wr(o[0], l, (V(o[3], l) & 1) ? V(o[1], l) : V(o[2], l)); }
    return true;
  case Op::Mov:
    FOR_LANES(em) { Wr(o[0], l, V(o[1], l)); }
    return true;
  case Op::MovPack: {
    unsigned eb = bits / in.vec;
    FOR_LANES(em) {
      uint64_t r = 0;
      for (unsigned i = 0; i < in.vec; ++i)
        r |= (V(o[i + 1], l) & maskOf(eb)) << (i * eb);
      Wr(o[0], l, r);
    }
    return true;
  }
  case Op::MovUnpack: {
    unsigned eb = bits / in.vec;
    FOR_LANES(em) {
      uint64_t x = V(o[in.vec], l);
      for (unsigned i = 0; i < in.vec; ++i)
        Wr(o[i], l, (x >> (i * eb)) & maskOf(eb));
    }
    return true;
  }
  case Op::Cvt: {
    // Integer conversion: the source is read as .atype (chopping a wider
    // register), converted (truncation, or clamping with .sat) and written
    // sign/zero-extended per .dtype to the destination register.
    const unsigned db = in.t.bits, ab = in.t2.bits;
    const bool ds = in.t.isSigned(), as = in.t2.isSigned();
    FOR_LANES(em) {
      uint64_t x = ext(V(o[1], l), ab, as);
      if (in.sat) {
        if (ds) {
          int64_t hi = (int64_t)(maskOf(db) >> 1), lo = -hi - 1;
          if (as)
            x = (uint64_t)std::min(std::max((int64_t)x, lo), hi);
          else if (x > (uint64_t)hi)
            x = (uint64_t)hi;
        } else {
          if (as && (int64_t)x < 0)
            x = 0;
          else if (x > maskOf(db))
            x = maskOf(db);
        }
      }
      Wr(o[0], l, ext(x, db, ds));
    }
    return true;
  }
  case Op::Cvta: {
    uint64_t base = in.space == Space::Shared  ? kSharedWindow
                    : in.space == Space::Local ? kLocalWindow
                                               : 0;
    FOR_LANES(em) {
      uint64_t x = V(o[1], l);
      Wr(o[0], l, in.flag ? x - base : x + base);
    }
    return true;
  }
  case Op::Bfe:
    FOR_LANES(em) {
      uint64_t a = V(o[1], l);
      unsigned msb = bits - 1;
      unsigned pos = V(o[2], l) & 0xff, len = V(o[3], l) & 0xff;
      unsigned sbit = 0;
      if (sgn && len)
        sbit = (a >> std::min(pos + len - 1, msb)) & 1;
      uint64_t d = 0;
      for (unsigned i = 0; i <= msb; ++i) {
        uint64_t bit = (i < len && pos + i <= msb) ? (a >> (pos + i)) & 1 : sbit;
        d |= bit << i;
      }
      Wr(o[0], l, d);
    }
    return true;
  case Op::Bfi:
    FOR_LANES(em) {
      uint64_t a = V(o[1], l), f = V(o[2], l);
      unsigned msb = bits - 1;
      unsigned pos = V(o[3], l) & 0xff, len = V(o[4], l) & 0xff;
      for (unsigned i = 0; i < len && pos + i <= msb; ++i)
        f = (f & ~(1ull << (pos + i))) | (((a >> i) & 1) << (pos + i));
      Wr(o[0], l, f);
    }
    return true;
  case Op::Prmt:
    FOR_LANES(em) {
      uint64_t tmp = (V(o[2], l) & 0xffffffffull) << 32 |
                     (V(o[1], l) & 0xffffffffull);
      uint32_t c = (uint32_t)V(o[3], l), r = 0;
      for (unsigned i = 0; i < 4; ++i) {
        unsigned ctl = (c >> (4 * i)) & 0xf;
        uint32_t byte = (tmp >> ((ctl & 7) * 8)) & 0xff;
        if (ctl & 8) // replicate the selected byte's sign bit
          byte = (byte & 0x80) ? 0xff : 0;
        r |= byte << (8 * i);
      }
      Wr(o[0], l, r);
    }
    return true;
  case Op::Popc:
    FOR_LANES(em) {
      Wr(o[0], l, (uint64_t)__builtin_popcountll(V(o[1], l) & maskOf(bits)));
    }
    return true;
  case Op::Clz:
    FOR_LANES(em) {
      uint64_t x = V(o[1], l) & maskOf(bits);
      Wr(o[0], l, x ? __builtin_clzll(x) - (64 - bits) : bits);
    }
    return true;
  case Op::Brev:
    FOR_LANES(em) {
      uint64_t x = V(o[1], l), r = 0;
      for (unsigned i = 0; i < bits; ++i)
        r |= ((x >> i) & 1) << (bits - 1 - i);
      Wr(o[0], l, r);
    }
    return true;
  case Op::Ld:
  case Op::St: {
    // A register wider than the type is sign-extended for signed types and
    // zero-extended otherwise on loads, and chopped on stores (PTX ISA,
    // "Operand Size Exceeding Instruction-Type Size").
    const unsigned es = bits / 8, vec = in.vec;
    const bool ld = in.op == Op::Ld;
    FOR_LANES(em) {
      uint8_t *p = mem(in, l, in.space, addr(o[vec], l), es * vec, !ld);
      if (!p)
        return false;
      for (unsigned i = 0; i < vec; ++i) {
        uint64_t v = 0;
        if (ld) {
          memcpy(&v, p + i * es, es);
          Wr(o[i], l, ext(v, bits, sgn));
        } else {
          v = V(o[i], l);
          memcpy(p + i * es, &v, es);
        }
      }
    }
    return true;
  }
  case Op::CpAsync:
    FOR_LANES(em) {
      unsigned n = in.k, srcN = n;
      if (in.mode == 1) {
        uint64_t s = V(o[2], l) & 0xffffffffull;
        if (s > n)
          return fail(in, l, "src-size %llu exceeds cp-size %u",
                      (unsigned long long)s, n);
        srcN = (unsigned)s;
      } else if (in.mode == 2 && (V(o[2], l) & 1)) {
        srcN = 0;
      }
      uint64_t dst = addr(o[0], l);
      // Bounds only: the copy writes when it completes (complete()).
      if (!mem(in, l, Space::Shared, dst, n, true, /*track=*/false))
        return false;
      PendingCopy c;
      c.issued = interval;
      c.dst = (uint32_t)dst;
      c.size = (uint8_t)n;
      c.group = -1;
      memset(c.data, 0, sizeof c.data);
      if (srcN) {
        uint8_t *s = mem(in, l, Space::Global, addr(o[1], l), n, false);
        if (!s)
          return false;
        memcpy(c.data, s, srcN);
      }
      W->pend[l].push_back(c);
    }
    return true;
  case Op::CpCommit:
    FOR_LANES(em) {
      for (PendingCopy &c : W->pend[l])
        if (c.group < 0)
          c.group = W->committed[l];
      ++W->committed[l];
    }
    return true;
  case Op::CpWait:
    FOR_LANES(em) {
      // All but the most recent N committed groups complete.
      if (!complete(in, l, W->committed[l] - 1 - (int32_t)o[0].imm))
        return false;
    }
    return true;
  case Op::CpWaitAll:
    FOR_LANES(em) {
      if (!complete(in, l, INT32_MAX))
        return false;
      ++W->committed[l];
    }
    return true;
  case Op::Bar: // bar.warp.sync
    FOR_LANES(em) {
      uint32_t member = (uint32_t)V(o[0], l);
      if (!(member >> l & 1))
        return fail(in, l, "executing lane is not in membermask 0x%08x",
                    member);
      uint32_t need = member & W->exist & ~W->exited;
      if (need & ~mask)
        return fail(in, l, "lanes 0x%08x of membermask 0x%08x are not "
                           "converged here", need & ~mask, member);
    }
    return true;
  case Op::Shfl: {
    uint32_t member = 0;
    if (!syncMask(in, mask, em, member))
      return false;
    uint32_t src[32];
    FOR_LANES(em) { src[l] = (uint32_t)V(o[2], l); }
    FOR_LANES(em) {
      uint32_t bval = V(o[3], l) & 31, c = (uint32_t)V(o[4], l);
      uint32_t cval = c & 31, seg = (c >> 8) & 31;
      uint32_t maxLane = (l & seg) | (cval & ~seg), minLane = l & seg;
      int32_t j;
      bool pval;
      switch (in.mode) {
      case SH_Up: j = (int32_t)l - (int32_t)bval; pval = j >= (int32_t)maxLane; break;
      case SH_Down: j = (int32_t)(l + bval); pval = j <= (int32_t)maxLane; break;
      case SH_Bfly: j = (int32_t)(l ^ bval); pval = j <= (int32_t)maxLane; break;
      default: j = (int32_t)(minLane | (bval & ~seg)); pval = j <= (int32_t)maxLane; break;
      }
      if (!pval)
        j = (int32_t)l;
      if (!(em >> j & 1))
        return fail(in, l, "shfl.sync reads lane %d, which does not execute "
                           "it (result undefined)", j);
      Wr(o[0], l, src[j]);
      Wr(o[1], l, pval);
    }
    return true;
  }
  case Op::Vote: {
    uint32_t member = 0;
    if (!syncMask(in, mask, em, member))
      return false;
    uint32_t ballot = 0;
    FOR_LANES(em) {
      if (V(o[1], l) & 1)
        ballot |= 1u << l;
    }
    uint64_t r = in.mode == V_Ballot ? ballot
                 : in.mode == V_All  ? ballot == em
                 : in.mode == V_Any  ? ballot != 0
                                     : (ballot == em || ballot == 0);
    FOR_LANES(em) { Wr(o[0], l, r); }
    return true;
  }
  case Op::ActiveMask:
    FOR_LANES(em) { Wr(o[0], l, mask); }
    return true;
  case Op::Ldmatrix:
    return fullWarp(in, mask, em) && execLdmatrix(in);
  case Op::Mma:
    return fullWarp(in, mask, em) && execMma(in);
  case Op::Nop:
    return true;
  default:
    return fail(in, __builtin_ctz(mask), "internal error: unhandled op");
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// C API
//===----------------------------------------------------------------------===//

extern "C" qlp_ptx_module *qlp_ptx_load(const char *ptx, size_t size,
                                        char *err, size_t err_size) {
  writeErr(err, err_size, "");
  if (!ptx) {
    writeErr(err, err_size, "no PTX text");
    return nullptr;
  }
  Parser p(ptx, size);
  std::string msg;
  qlp_ptx_module *m = p.parse(msg);
  if (!m)
    writeErr(err, err_size, msg);
  return m;
}

extern "C" void qlp_ptx_unload(qlp_ptx_module *m) { delete m; }

extern "C" const void *qlp_ptx_function(qlp_ptx_module *m, const char *name) {
  if (!m || !name)
    return nullptr;
  for (const auto &k : m->kernels)
    if (k->name == name)
      return k.get();
  return nullptr;
}

extern "C" int qlp_ptx_launch(const void *fn, unsigned gx, unsigned gy,
                              unsigned gz, unsigned bx, unsigned by,
                              unsigned bz, unsigned dynamic_smem,
                              void **params, char *err, size_t err_size) {
  writeErr(err, err_size, "");
  if (!fn) {
    writeErr(err, err_size, "no kernel");
    return 1;
  }
  const auto *k = static_cast<const qlp_ptx_kernel *>(fn);
  Executor ex(*k);
  const unsigned g[3] = {gx, gy, gz}, b[3] = {bx, by, bz};
  if (!ex.launch(g, b, dynamic_smem, params)) {
    writeErr(err, err_size, ex.err);
    return 1;
  }
  return 0;
}
