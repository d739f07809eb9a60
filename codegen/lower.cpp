// Typed IR -> LLVM IR. Python semantics that need care live here: floor division and
// modulo, wrap-around of negative indices, bounds checks, and reference counts of
// arrays (locals own a reference; a temporary that nobody takes is released at the
// end of its statement, or by the function's exit block when an exception unwinds).
#include "codegen/lower.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsNVPTX.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "frontend/internal_error.h"
#include "ir/call_graph.h"
#include "ir/dimension_locals.h"
#include "ir/nonnegative.h"
#include "ir/parallel_loop.h"
#include "ir/private_arrays.h"
#include "ir/walk.h"

namespace nk::codegen {
namespace {

using namespace ir;
using llvm::IRBuilder;
using llvm::Value;

// Runtime dtype codes (runtime/dtype.h's DType order).
int dtype_code(const Type* t) {
  if (t->is_bool()) return 0;
  if (t->is_float()) return t->bits() == 32 ? 9 : 10;
  int base = t->is_signed() ? 1 : 5;
  switch (t->bits()) {
    case 8: return base;
    case 16: return base + 1;
    case 32: return base + 2;
    default: return base + 3;
  }
}

// Which of Python's ZeroDivisionError messages applies (runtime/errors.cpp's table).
enum ZeroDivKind { kIntFloorDiv = 0, kTrueDiv = 1, kFloatTrueDiv = 2, kFloatFloorDiv = 3, kFloatMod = 4, kIntMod = 5 };

bool is_int_cast(const ExprRef& e) {
  return e->kind == ExprKind::Cast && e->as<CastExpr>().value->type->is_integral();
}

// An array axis indexed by a loop variable plus constants in [min_offset, max_offset].
struct VersionedAccess {
  int array;  // local
  int axis;
  int64_t min_offset, max_offset;
};

// An index that keeps its value through an innermost loop (made of constants and locals
// the body does not assign: `i + 1` in a loop over j), checked once before the loop.
struct InvariantIndex {
  int array;  // local
  int axis;
  const Expr* index;
};

// What the unchecked copy of an innermost loop may assume (see versioned_accesses).
struct LoopVersioning {
  std::vector<VersionedAccess> offsets;  // array[..., loopvar + c, ...]
  std::vector<InvariantIndex> invariants;
  bool empty() const { return offsets.empty() && invariants.empty(); }
};

bool loop_offset(const Expr& index, int loopvar, int64_t& offset);

struct Val {
  Value* v = nullptr;
  bool owned = false;  // arrays: this value holds a reference the consumer must take or drop
};

// What a GPU loop of a @jit(target="cuda") function passes between host and kernel:
// the kernel's parameter struct, {ptr result, i64 start, i64 step, i64 count,
// captured locals...}, and the result buffer it fills, [tail][blocks x reductions x 8
// bytes]: the variables the thread with the last iteration leaves behind, then each
// block's partial results (see gpu_loop).
struct GpuLoop {
  ParallelLoop info;
  std::vector<int> captured;     // locals copied into the kernel, in field order from 4
  std::vector<int> reductions;   // reduction locals, in slot order
  std::vector<int> tail;         // scalar locals the last iteration leaves behind
  llvm::StructType* params = nullptr;
  llvm::StructType* tail_type = nullptr;
  uint64_t tail_bytes = 0;
};

class ModuleLowering {
 public:
  ModuleLowering(const Program& program, llvm::LLVMContext& ctx, const LowerOptions& options, bool gpu = false)
      : program_(program), ctx_(ctx), options_(options),
        module_(std::make_unique<llvm::Module>(gpu ? "nk.gpu" : "nk", ctx)), gpu_(gpu) {
    if (gpu) {
      module_->setTargetTriple(kGpuTriple);
      module_->setDataLayout(kGpuDataLayout);
    }
  }

  std::unique_ptr<llvm::Module> run();
  // GPU code: this module is the NVPTX one (kernels, device functions, loop kernels).
  bool gpu() const { return gpu_; }
  // The host's companion GPU module, made on first use.
  ModuleLowering& gpu_module();
  std::unique_ptr<llvm::Module> take_gpu_module() {
    return gpu_lowering_ ? std::move(gpu_lowering_->module_) : nullptr;
  }
  // The host global { ptr ptx, ptr loaded } naming the GPU module at run time.
  llvm::GlobalVariable* gpu_module_ref();
  // Adds the kernel of a GPU loop of `fn` to this (GPU) module; returns its symbol.
  std::string add_loop_kernel(const Function& fn, const ForRangeStmt& s, const GpuLoop& loop);
  void mark_kernel(llvm::Function* f);
  size_t index_of(const Function* f) const;
  // The shared-memory array of a cuda.shared.array expression: one per expression, even
  // where its code is emitted twice (loop versioning).
  llvm::GlobalVariable* shared_array(const Expr* e, llvm::Type* storage) {
    llvm::GlobalVariable*& g = shared_arrays_[e];
    if (!g) {
      g = new llvm::GlobalVariable(*module_, storage, false, llvm::GlobalValue::InternalLinkage, llvm::UndefValue::get(storage),
                                   "shared.array", nullptr, llvm::GlobalValue::NotThreadLocal, 3);
      g->setAlignment(llvm::Align(16));
    }
    return g;
  }

  llvm::LLVMContext& ctx() { return ctx_; }
  llvm::Module& module() { return *module_; }
  const LowerOptions& options() const { return options_; }
  llvm::Function* runtime(const char* name);
  llvm::Function* function_for(const Function* f) { return functions_.at(f); }
  bool is_recursive(const Function* f) const { return recursive_.count(f) != 0; }
  // A new internal function for the body of a parallel loop.
  llvm::Function* new_chunk_function(const std::string& parent) {
    auto* p = llvm::PointerType::getUnqual(ctx_);
    auto* i64 = llvm::Type::getInt64Ty(ctx_);
    auto* fty = llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx_), {p, i64, i64, i64}, false);
    auto* f = llvm::Function::Create(fty, llvm::Function::InternalLinkage,
                                     parent + ".prange." + std::to_string(chunk_count_++), module_.get());
    f->addFnAttr(kChunkAttribute);
    return f;
  }
  // A new function `i32 (ptr context)` for the checked copy of a versioned loop of
  // `parent` (see FunctionLowering::call_checked_copy).
  llvm::Function* new_checked_function(const std::string& parent) {
    auto* p = llvm::PointerType::getUnqual(ctx_);
    auto* fty = llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx_), {p}, false);
    auto* f = llvm::Function::Create(fty, llvm::Function::ExternalLinkage,
                                     parent + ".checked." + std::to_string(checked_count_++), module_.get());
    f->addFnAttr(kCheckedCopyAttribute);
    return f;
  }
  llvm::Type* value_type(const Type* t);
  llvm::Type* memory_type(const Type* t);  // element storage (bool as i8)
  llvm::StructType* array_desc_type(int ndim);
  llvm::StructType* str_type();
  llvm::FunctionType* function_type(const Function& f);
  Value* string_constant(const std::string& s);  // a {ptr, i64} value
  Value* cstring(const std::string& s);         // a NUL-terminated global
  uint32_t line_of(SourceRange r) const;

 private:
  const Program& program_;
  llvm::LLVMContext& ctx_;
  const LowerOptions& options_;
  std::unique_ptr<llvm::Module> module_;
  std::map<const Function*, llvm::Function*> functions_;
  std::map<std::string, Value*> strings_;
  int chunk_count_ = 0;
  int checked_count_ = 0;
  std::set<const Function*> recursive_;
  bool gpu_ = false;
  std::unique_ptr<ModuleLowering> gpu_lowering_;
  llvm::GlobalVariable* gpu_module_ref_ = nullptr;
  int loop_kernel_count_ = 0;
  std::map<const Expr*, llvm::GlobalVariable*> shared_arrays_;

  void emit_entry_point(const Function& f, const std::string& name);
  void emit_kernel_entry(const Function& f);
  // Functions that live in this module: the host's are CPU code (device functions too,
  // for host code that calls them), the GPU module's kernels and device functions.
  bool lives_here(const Function& f) const {
    if (gpu_) return f.target == Target::CudaKernel || f.target == Target::CudaDevice;
    if (f.target == Target::Host && options_.part == LowerOptions::Part::Functions) return false;
    return f.target != Target::CudaKernel;
  }
  // Whether this module defines `f` (see LowerOptions::Part), besides declaring it.
  bool defined_here(const Function& f) const {
    if (!lives_here(f)) return false;
    if (gpu_ || options_.part == LowerOptions::Part::All) return true;
    return (f.target == Target::Host) == (options_.part == LowerOptions::Part::HostProgram);
  }
  void declare_functions();
  void lower_functions();
  void verify();
};

// i32 entry(ptr args, ptr result): loads each argument through args[i] and calls f.
void ModuleLowering::emit_entry_point(const Function& f, const std::string& name) {
  auto* p = llvm::PointerType::getUnqual(ctx_);
  auto* fty = llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx_), {p, p}, false);
  auto* entry = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, name, module_.get());
  // Loads and a call: nothing for the optimiser to do (see kEntryPointAttribute).
  entry->addFnAttr(kEntryPointAttribute);
  entry->addFnAttr(llvm::Attribute::OptimizeNone);
  entry->addFnAttr(llvm::Attribute::NoInline);
  IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", entry));
  std::vector<Value*> args;
  if (f.return_type != none_type()) args.push_back(entry->getArg(1));
  for (size_t i = 0; i < f.params.size(); ++i) {
    Value* slot = b.CreateLoad(p, b.CreateConstGEP1_64(p, entry->getArg(0), i));
    const Type* t = f.params[i];
    args.push_back(t->is_array() || t->is_tuple() ? slot : b.CreateLoad(value_type(t), slot));
  }
  // The specialisation is compiled as its own function anyway: not inlined here, or
  // its body would be optimised and compiled twice.
  llvm::CallInst* call = b.CreateCall(functions_.at(&f), args);
  call->addFnAttr(llvm::Attribute::NoInline);
  call->setTailCall();  // a jump (what the optimiser made of it when it saw the wrapper)
  b.CreateRet(call);
}

class FunctionLowering {
 public:
  FunctionLowering(ModuleLowering& m, const Function& fn, llvm::Function* llfn)
      : m_(m), fn_(fn), llfn_(llfn), b_(m.ctx()) {}
  void run();
  // Lowers the body of parallel loop `s` as the chunk function
  // `i32 (ptr context, i64 begin, i64 end, i64 chunk)` (see parallel_for_range).
  void run_chunk(const ForRangeStmt& s, const ParallelLoop& info);
  // The two halves of a GPU loop's kernel (see gpu_loop): `i32 body(ptr params, ptr
  // partials)` runs this thread's iterations; the entry `void kernel(ptr byval params)`
  // calls it and folds the block's partial results.
  void run_gpu_loop_body(const ForRangeStmt& s, const GpuLoop& loop);
  void emit_gpu_loop_entry(llvm::Function* body, const GpuLoop& loop);
  void run_iterations(const ForRangeStmt& s, Value* first, Value* limit, Value* stride, Value* start, Value* step,
                      const char* name);

 private:
  // ---- helpers ----
  llvm::Type* vt(const Type* t) { return m_.value_type(t); }
  llvm::IntegerType* i1() { return b_.getInt1Ty(); }
  llvm::IntegerType* i8() { return b_.getInt8Ty(); }
  llvm::IntegerType* i32() { return b_.getInt32Ty(); }
  llvm::IntegerType* i64() { return b_.getInt64Ty(); }
  llvm::PointerType* ptr() { return b_.getPtrTy(); }
  Value* c64(int64_t v) { return b_.getInt64(static_cast<uint64_t>(v)); }
  Value* c32(int32_t v) { return b_.getInt32(static_cast<uint32_t>(v)); }
  Value* line(SourceRange r) { return c32(static_cast<int32_t>(m_.line_of(r))); }
  llvm::AllocaInst* entry_alloca(llvm::Type* t, const char* name = "");
  llvm::BasicBlock* block(const char* name) { return llvm::BasicBlock::Create(m_.ctx(), name, llfn_); }
  bool boundscheck() const { return fn_.options.boundscheck && !m_.options().no_boundscheck; }
  bool numpy_errors() const { return fn_.options.error_model_numpy; }
  bool fastmath() const { return fn_.options.fastmath || m_.options().fastmath; }
  // Branches to the exit block with status 1 (an exception is set) when `status` != 0.
  void check_status(Value* status);
  void raise_here(SourceRange r);  // after a runtime call that set an exception
  // Raises `kind(message)` at `r` and unwinds (ends the current block).
  void raise_constant(const char* kind, const std::string& message, SourceRange r);
  // Raises ValueError when a range's step is zero; continues on the non-zero path.
  void check_step(Value* step, SourceRange r);
  void unwind();
  bool terminated() const { return b_.GetInsertBlock()->getTerminator() != nullptr; }
  void start_dead_block() { b_.SetInsertPoint(block("dead")); }

  // ---- reference counts ----
  void borrow(size_t local) {
    if (borrowed_.size() < fn_.locals.size()) borrowed_.resize(fn_.locals.size());
    borrowed_[local] = true;
  }
  void incref(Value* desc);       // desc: array descriptor struct value
  // Loads a value of type `t` from `p`. An array descriptor is loaded field by field so
  // that its sizes carry `!range [0, 2^63-1)` and every field `!noundef`: LLVM then knows
  // `0 <= i < n` is one unsigned compare and that sizes are never negative.
  Value* load_value(const Type* t, Value* p);
  void decref_meminfo(Value* meminfo);
  void decref(Value* desc) { decref_meminfo(b_.CreateExtractValue(desc, 0)); }
  Value* hold(Val v);             // a value that stays valid until the statement ends
  void flush_temps();

  // ---- statements ----
  void stmt(const Stmt& s);
  void assign_local(int index, Val v);
  void for_range(const ForRangeStmt& s);
  // `fallback`: the checked copy of a versioned loop, which runs only when some access
  // is out of bounds; it is neither vectorised nor unrolled (less code to compile).
  llvm::MDNode* loop_id();
  llvm::MDNode* fallback_loop_id();
  void emit_serial_loop(const ForRangeStmt& s, Value* start, Value* stop, Value* step, llvm::ConstantInt* const_step,
                        bool fallback = false);
  LoopVersioning versioned_accesses(const ForRangeStmt& s);
  // The checked copy of versioned loop `s` as a function of its own, which the JIT
  // compiles only when it is first called (codegen/checked_copies.h).
  struct CopyLocals {
    std::vector<int> in;   // locals whose value the loop may read before assigning it
    std::vector<int> out;  // locals the loop assigns (its variable too): written back
    std::vector<int> all;  // both
  };
  bool outline_checked_copy(const ForRangeStmt& s) const;
  CopyLocals copy_locals(const ForRangeStmt& s) const;
  void call_checked_copy(const ForRangeStmt& s, Value* start, Value* stop);
  void run_checked_copy(const ForRangeStmt& s, const CopyLocals& locals);
  void parallel_for_range(const ForRangeStmt& s);
  void begin_function();  // entry/exit blocks and the locals' storage
  void end_function();    // the exit block: release arrays, return the status
  Value* identity(ReductionOp op, const Type* t);
  Value* combine(ReductionOp op, const Type* t, Value* a, Value* b);
  void fold_partials(int local, ReductionOp op, Value* count, const char* name,
                     const std::function<Value*(Value* c)>& part);
  void print(const PrintStmt& s);
  void print_value(Value* v, const Type* t);

  // ---- CUDA ----
  bool gpu() const { return m_.gpu(); }
  // A @jit(target="cuda") function on the host whose top-level loops run on the GPU.
  bool cuda_host() const { return fn_.target == Target::CudaAuto && !gpu() && !m_.options().cuda_on_cpu; }
  void top_level_block(const BlockStmt& b);
  void sync_session();  // written GPU copies back to the host arrays
  void gpu_loop(const ForRangeStmt& s);
  Value* iteration_count(Value* start, Value* stop, Value* step);
  // A parallel or GPU loop's range evaluated once (step checked non-zero): its start,
  // step and iteration count.
  struct RangeValues {
    Value *start, *step, *count;
  };
  RangeValues evaluate_range(const ForRangeStmt& s);
  Val launch(const CallExpr& e);
  Value* special_register(Intrinsic id, int axis);
  Val thread_array(const IntrinsicExpr& e);
  Value* atomic(const IntrinsicExpr& e);
  Val cuda_host_intrinsic(const IntrinsicExpr& e);
  uint64_t item_size(const Type* elem) { return m_.module().getDataLayout().getTypeAllocSize(m_.memory_type(elem)); }
  // Mirrors array `desc` (a pointer to its descriptor) for a kernel into `out`.
  void mirror(Value* desc, Value* out, const Type* t, bool written, SourceRange r);
  llvm::AllocaInst* session_ = nullptr;

  // ---- expressions ----
  Val expr(const Expr& e);
  Value* scalar(const Expr& e) { return expr(e).v; }
  Value* cast(Value* v, const Type* from, const Type* to);
  Value* truth(Value* v, const Type* t);
  Value* binary(const BinaryExpr& e);
  Value* int_div_mod(BinaryOp op, Value* a, Value* b, const Type* t, SourceRange r);
  Value* float_div_mod(BinaryOp op, Value* a, Value* b, const Type* t, SourceRange r);
  Value* int_pow(Value* a, Value* b, const Type* t, SourceRange r);
  Value* compare(const CompareExpr& e);
  Value* logical(const LogicalExpr& e);
  Val select(const SelectExpr& e);
  Val intrinsic(const IntrinsicExpr& e);
  Value* math_call(Intrinsic id, const std::vector<Value*>& args, const Type* t);
  Val call(const CallExpr& e);
  Value* element_address(const Val& array, const Expr* array_expr, const Type* at, const std::vector<ExprRef>& indices,
                         SourceRange r);
  // `index` known non-negative (ir/nonnegative.h): no wrap-around, only the check.
  Value* wrap_and_check(Value* index, Value* size, int axis, SourceRange r, bool nonnegative = false);
  bool nonnegative(const Expr& index) const { return is_nonnegative(index, nonnegative_); }
  Val view(const ViewExpr& e);
  Val new_array(const NewArrayExpr& e);
  Value* format(const FormatExpr& e);
  Value* spill(Value* v);
  // `array`: the indexed expression, for alias scopes (tag_access); null: none.
  void store_element(Value* addr, Value* v, const Type* elem, const Expr* array = nullptr);
  Value* load_element(Value* addr, const Type* elem, const Expr* array = nullptr);
  void tag_access(llvm::Instruction* access, const Expr* array);
  // Parameter scopes (see begin_param_scopes): sets them up and computes, on entry,
  // whether the parameters' memory is disjoint.
  void begin_param_scopes(const std::vector<bool>& unchanged);
  bool scoped_loop(const ForRangeStmt& s) const;
  void fill_contiguous(Value* desc, const Type* at, const std::function<Value*(Value* i)>& element);

  ModuleLowering& m_;
  const Function& fn_;
  llvm::Function* llfn_;
  IRBuilder<> b_;
  llvm::BasicBlock* entry_ = nullptr;
  llvm::BasicBlock* exit_ = nullptr;
  llvm::PHINode* exit_status_ = nullptr;
  Value* ret_ptr_ = nullptr;
  std::vector<llvm::AllocaInst*> locals_;
  std::vector<llvm::AllocaInst*> temp_slots_;    // meminfo pointers of owned temporaries
  std::vector<llvm::AllocaInst*> pending_temps_;  // slots to release at statement end
  std::vector<std::pair<llvm::BasicBlock*, llvm::BasicBlock*>> loops_;  // (continue, break)
  std::map<int, llvm::AllocaInst*> let_slots_;
  bool in_chunk_ = false;  // lowering a prange body: refcounts are atomic, prange is serial
  // Loop versioning (see versioned_accesses): inside the unchecked copy of an innermost
  // loop, accesses array[..., loopvar + c, ...] on these (array local, axis) pairs are
  // known to be in bounds.
  int proven_loopvar_ = -1;
  // Per local: for an array parameter the function never reassigns (in its own body,
  // not a prange chunk's), the argument, whose descriptor holds the local's value for
  // the whole call; else null. Checked copies read such arrays from there.
  std::vector<Value*> unchanged_params_;
  // For those parameters, the descriptor loaded on entry: reading the local yields it,
  // not a load of the local's storage at every access (less IR for LLVM to clean up).
  std::vector<Value*> unchanged_values_;
  // Per local: an array whose reference the function borrows from its caller instead
  // of taking one (end_function does not release it): unchanged parameters, and in a
  // prange chunk or checked copy the arrays its loop does not assign.
  std::vector<bool> borrowed_;
  std::vector<bool> nonnegative_;  // ir/nonnegative.h, per local of fn_
  // An array's accesses: their alias scope list, and the scopes they are outside of
  // (null when none).
  struct AliasScopes {
    llvm::MDNode* scope;
    llvm::MDNode* noalias;
  };
  // ir/private_arrays.h: each private array local's scopes (noalias: the other private
  // arrays'); all private arrays' scopes.
  std::map<int, AliasScopes> private_scopes_;
  llvm::MDNode* all_private_scopes_ = nullptr;
  // Array parameters with alias scopes of their own inside the unchecked copies of
  // versioned loops (begin_param_scopes), which run only when params_disjoint_ (i1,
  // computed on entry) holds; scope_params_ while lowering such a copy.
  std::map<int, AliasScopes> param_scopes_;
  Value* params_disjoint_ = nullptr;
  bool scope_params_ = false;
  std::set<std::pair<int, int>> proven_;
  // Invariant indices checked before the loop: they may be negative (and wrap), but are
  // known to be within -size..size-1.
  std::set<const Expr*> proven_invariant_;
  enum class Proof { None, InBounds, WrapOnly };
  Proof index_proven(const Expr& array, int axis, const Expr& index) const;
  SourceRange statement_range_;  // of the statement being lowered
};

// ---------------------------------------------------------------------------------

llvm::Function* ModuleLowering::runtime(const char* name) {
  if (llvm::Function* f = module_->getFunction(name)) return f;
  auto ty = [&](const char* t) -> llvm::Type* {
    std::string s = t;
    if (s == "void") return llvm::Type::getVoidTy(ctx_);
    if (s == "i1") return llvm::Type::getInt1Ty(ctx_);
    if (s == "i8") return llvm::Type::getInt8Ty(ctx_);
    if (s == "i32") return llvm::Type::getInt32Ty(ctx_);
    if (s == "i64") return llvm::Type::getInt64Ty(ctx_);
    if (s == "f32") return llvm::Type::getFloatTy(ctx_);
    if (s == "f64") return llvm::Type::getDoubleTy(ctx_);
    return llvm::PointerType::getUnqual(ctx_);
  };
  struct Sig {
    const char* name;
    const char* ret;
    std::vector<const char*> args;
  };
  static const Sig sigs[] = {
#define i1 "i1"
#define i8 "i8"
#define i32 "i32"
#define i64 "i64"
#define f32 "f32"
#define f64 "f64"
#define ptr "ptr"
#define void "void"
#define NK_LIST(...) {__VA_ARGS__}
#define RUNTIME_FN(fname, ret, args) {#fname, ret, std::vector<const char*> NK_LIST args},
#include "codegen/runtime_functions.def"
#undef RUNTIME_FN
#undef NK_LIST
#undef i1
#undef i8
#undef i32
#undef i64
#undef f32
#undef f64
#undef ptr
#undef void
  };
  for (const Sig& s : sigs) {
    if (std::string(s.name) != name) continue;
    std::vector<llvm::Type*> args;
    for (const char* a : s.args) args.push_back(ty(a));
    auto* fty = llvm::FunctionType::get(ty(s.ret), args, false);
    llvm::Function* f = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, name, module_.get());
    // The C ABI passes a bool as a zero-extended byte: without zeroext, LLVM may leave
    // garbage in the upper bits of an i1 argument, which C++ reads as `true`.
    for (unsigned k = 0; k < args.size(); ++k)
      if (args[k]->isIntegerTy(1)) f->addParamAttr(k, llvm::Attribute::ZExt);
    return f;
  }
  NK_CHECK(false) << "unknown runtime function " << name;
  return nullptr;
}

llvm::StructType* ModuleLowering::array_desc_type(int ndim) {
  auto* p = llvm::PointerType::getUnqual(ctx_);
  auto* dims = llvm::ArrayType::get(llvm::Type::getInt64Ty(ctx_), static_cast<uint64_t>(ndim));
  return llvm::StructType::get(ctx_, {p, p, dims, dims});
}

llvm::StructType* ModuleLowering::str_type() {
  return llvm::StructType::get(ctx_, {llvm::PointerType::getUnqual(ctx_), llvm::Type::getInt64Ty(ctx_)});
}

llvm::Type* ModuleLowering::value_type(const Type* t) {
  switch (t->kind()) {
    case TypeKind::Bool: return llvm::Type::getInt1Ty(ctx_);
    case TypeKind::Int: return llvm::Type::getIntNTy(ctx_, t->bits());
    case TypeKind::Float: return t->bits() == 32 ? llvm::Type::getFloatTy(ctx_) : llvm::Type::getDoubleTy(ctx_);
    case TypeKind::Array: return array_desc_type(t->ndim());
    case TypeKind::Tuple: {
      std::vector<llvm::Type*> elements;
      for (const Type* e : t->elements()) elements.push_back(value_type(e));
      return llvm::StructType::get(ctx_, elements);
    }
    case TypeKind::String: return str_type();
    case TypeKind::None: return llvm::Type::getVoidTy(ctx_);
    case TypeKind::ArgList:
    case TypeKind::DType:
    case TypeKind::Error:
    case TypeKind::Unknown: break;
  }
  NK_CHECK(false) << "no LLVM type for " << t->str();
  return nullptr;
}

llvm::Type* ModuleLowering::memory_type(const Type* t) {
  if (t->is_bool()) return llvm::Type::getInt8Ty(ctx_);
  return value_type(t);
}

llvm::FunctionType* ModuleLowering::function_type(const Function& f) {
  std::vector<llvm::Type*> params;
  if (f.return_type != none_type()) params.push_back(llvm::PointerType::getUnqual(ctx_));
  for (const Type* t : f.params) {
    if (t->is_array() || t->is_tuple()) params.push_back(llvm::PointerType::getUnqual(ctx_));
    else params.push_back(value_type(t));
  }
  return llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx_), params, false);
}

Value* ModuleLowering::cstring(const std::string& s) {
  auto it = strings_.find("c:" + s);
  if (it != strings_.end()) return it->second;
  auto* init = llvm::ConstantDataArray::getString(ctx_, s, true);
  auto* g = new llvm::GlobalVariable(*module_, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, ".str");
  g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  strings_["c:" + s] = g;
  return g;
}

Value* ModuleLowering::string_constant(const std::string& s) {
  Value* data = cstring(s);
  return llvm::ConstantStruct::get(str_type(), {llvm::cast<llvm::Constant>(data),
                                                llvm::ConstantInt::get(llvm::Type::getInt64Ty(ctx_), s.size())});
}

uint32_t ModuleLowering::line_of(SourceRange r) const {
  return options_.source ? options_.source->line_column(r.begin).line : 0;
}

void ModuleLowering::declare_functions() {
  // Declare every function first so calls (and recursion) can refer to them.
  size_t k = 0;
  for (const auto& f : program_.functions) {
    if (lives_here(*f)) {
      std::string name = f->target == Target::Host ? kMainSymbol
                                                   : options_.symbol_prefix + "nk.fn." + f->name + "." + std::to_string(k);
      // External linkage keeps every specialisation (callable by name, and visible in
      // --emit output) even where the optimiser inlined it into its callers; on the
      // GPU only kernels are entry points.
      auto linkage = gpu_ ? llvm::Function::InternalLinkage : llvm::Function::ExternalLinkage;
      functions_[f.get()] = llvm::Function::Create(function_type(*f), linkage, name, module_.get());
    }
    ++k;
  }
  recursive_ = recursive_functions(program_);
}

void ModuleLowering::lower_functions() {
  for (const auto& f : program_.functions)
    if (defined_here(*f)) FunctionLowering(*this, *f, functions_[f.get()]).run();
  if (gpu_)
    for (const auto& f : program_.functions)
      if (f->target == Target::CudaKernel) emit_kernel_entry(*f);
}

void ModuleLowering::verify() {
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (llvm::verifyModule(*module_, &os)) {
    os.flush();
    throw InternalError("LLVM verifier rejected the generated " + std::string(gpu_ ? "GPU " : "") +
                        "module: " + errors.substr(0, 2000));
  }
}

ModuleLowering& ModuleLowering::gpu_module() {
  if (!gpu_lowering_) {
    gpu_lowering_ = std::make_unique<ModuleLowering>(program_, ctx_, options_, true);
    gpu_lowering_->declare_functions();
  }
  return *gpu_lowering_;
}

llvm::GlobalVariable* ModuleLowering::gpu_module_ref() {
  if (!gpu_module_ref_) {
    auto* p = llvm::PointerType::getUnqual(ctx_);
    auto* ty = llvm::StructType::get(ctx_, {p, p});
    gpu_module_ref_ = new llvm::GlobalVariable(*module_, ty, false, llvm::GlobalValue::InternalLinkage,
                                               llvm::Constant::getNullValue(ty), kGpuModuleRef);
  }
  return gpu_module_ref_;
}

size_t ModuleLowering::index_of(const Function* f) const {
  for (size_t k = 0; k < program_.functions.size(); ++k)
    if (program_.functions[k].get() == f) return k;
  NK_CHECK(false) << "function not in the program";
  return 0;
}

void ModuleLowering::mark_kernel(llvm::Function* f) {
  llvm::NamedMDNode* md = module_->getOrInsertNamedMetadata("nvvm.annotations");
  md->addOperand(llvm::MDNode::get(ctx_, {llvm::ValueAsMetadata::get(f), llvm::MDString::get(ctx_, "kernel"),
                                          llvm::ConstantAsMetadata::get(llvm::ConstantInt::get(llvm::Type::getInt32Ty(ctx_), 1))}));
}

// void kernel(ptr byval({params...})): the launch passes the arguments as one struct,
// laid out alike on host and GPU (both 64-bit, naturally aligned).
void ModuleLowering::emit_kernel_entry(const Function& f) {
  std::vector<llvm::Type*> fields;
  for (const Type* t : f.params) fields.push_back(value_type(t));
  auto* params = llvm::StructType::get(ctx_, fields);
  auto* p = llvm::PointerType::getUnqual(ctx_);
  // A kernel without parameters takes none (the launch passes no parameter buffer).
  bool none = f.params.empty();
  auto* fty = none ? llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), false)
                   : llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {p}, false);
  auto* entry = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, kernel_symbol(index_of(&f), f.name), module_.get());
  if (!none) {
    entry->addParamAttr(0, llvm::Attribute::getWithByValType(ctx_, params));
    entry->addParamAttr(0, llvm::Attribute::getWithAlignment(ctx_, llvm::Align(8)));
  }
  mark_kernel(entry);
  IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", entry));
  std::vector<Value*> args;
  for (size_t i = 0; i < f.params.size(); ++i) {
    const Type* t = f.params[i];
    Value* v = b.CreateLoad(fields[i], b.CreateStructGEP(params, entry->getArg(0), static_cast<unsigned>(i)));
    if (t->is_array() || t->is_tuple()) {
      Value* slot = b.CreateAlloca(fields[i]);
      b.CreateStore(v, slot);
      v = slot;
    }
    args.push_back(v);
  }
  b.CreateCall(functions_.at(&f), args);
  b.CreateRetVoid();
}

std::unique_ptr<llvm::Module> ModuleLowering::run() {
  bool cpu_only = options_.cuda_on_cpu;
  bool needs_gpu = false;
  for (const auto& f : program_.functions)
    if (f->target == Target::CudaKernel || f->target == Target::CudaAuto) needs_gpu = true;
  declare_functions();
  if (needs_gpu && !cpu_only) gpu_module().lower_functions();
  lower_functions();
  if (options_.entry_points) {
    size_t k = 0;
    for (const auto& f : program_.functions) {
      if (f->target != Target::Host && defined_here(*f)) emit_entry_point(*f, entry_symbol(options_.symbol_prefix, k));
      ++k;
    }
  }
  verify();
  if (gpu_lowering_) gpu_lowering_->verify();
  return std::move(module_);
}

// ---------------------------------------------------------------------------------

llvm::AllocaInst* FunctionLowering::entry_alloca(llvm::Type* t, const char* name) {
  IRBuilder<> eb(entry_, entry_->begin());
  return eb.CreateAlloca(t, nullptr, name);
}

void FunctionLowering::check_status(Value* status) {
  llvm::BasicBlock* ok = block("ok");
  llvm::BasicBlock* fail = block("fail");
  Value* is_ok = b_.CreateICmpEQ(status, c32(0));
  llvm::MDBuilder md(m_.ctx());
  b_.CreateCondBr(is_ok, ok, fail, md.createBranchWeights(1 << 20, 1));
  b_.SetInsertPoint(fail);
  // Runtime helpers raise without knowing the source line: give them the statement's.
  b_.CreateCall(m_.runtime("nk_error_line"), {line(statement_range_)});
  unwind();
  b_.SetInsertPoint(ok);
}

void FunctionLowering::unwind() {
  exit_status_->addIncoming(c32(1), b_.GetInsertBlock());
  b_.CreateBr(exit_);
}

Value* FunctionLowering::load_value(const Type* t, Value* p) {
  llvm::Type* ty = vt(t);
  if (!t->is_array()) return b_.CreateLoad(ty, p);
  auto* st = llvm::cast<llvm::StructType>(ty);
  llvm::MDNode* noundef = llvm::MDNode::get(m_.ctx(), {});
  llvm::MDNode* size_range =
      llvm::MDBuilder(m_.ctx()).createRange(llvm::APInt(64, 0), llvm::APInt(64, uint64_t{INT64_MAX}));
  Value* desc = llvm::PoisonValue::get(st);
  for (unsigned f = 0; f < st->getNumElements(); ++f) {
    llvm::Type* ft = st->getElementType(f);
    Value* at = b_.CreateStructGEP(st, p, f);
    if (!ft->isArrayTy()) {
      auto* v = b_.CreateLoad(ft, at);
      v->setMetadata(llvm::LLVMContext::MD_noundef, noundef);
      desc = b_.CreateInsertValue(desc, v, {f});
      continue;
    }
    for (unsigned k = 0; k < ft->getArrayNumElements(); ++k) {
      auto* v = b_.CreateLoad(i64(), b_.CreateConstGEP2_32(ft, at, 0, k));
      v->setMetadata(llvm::LLVMContext::MD_noundef, noundef);
      if (f == 2) v->setMetadata(llvm::LLVMContext::MD_range, size_range);  // field 2: the shape
      desc = b_.CreateInsertValue(desc, v, {f, k});
    }
  }
  return desc;
}

void FunctionLowering::incref(Value* desc) {
  Value* mi = b_.CreateExtractValue(desc, 0);
  llvm::BasicBlock* yes = block("incref");
  llvm::BasicBlock* done = block("incref.done");
  b_.CreateCondBr(b_.CreateIsNull(mi), done, yes);
  b_.SetInsertPoint(yes);
  if (in_chunk_) {
    // Threads of a parallel loop share arrays: their counts change atomically.
    b_.CreateAtomicRMW(llvm::AtomicRMWInst::Add, mi, c64(1), llvm::MaybeAlign(8), llvm::AtomicOrdering::Monotonic);
  } else {
    Value* count = b_.CreateLoad(i64(), mi);
    b_.CreateStore(b_.CreateAdd(count, c64(1)), mi);
  }
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

void FunctionLowering::decref_meminfo(Value* mi) {
  llvm::BasicBlock* yes = block("decref");
  llvm::BasicBlock* release = block("decref.free");
  llvm::BasicBlock* done = block("decref.done");
  b_.CreateCondBr(b_.CreateIsNull(mi), done, yes);
  b_.SetInsertPoint(yes);
  Value* count;
  if (in_chunk_) {
    Value* old = b_.CreateAtomicRMW(llvm::AtomicRMWInst::Sub, mi, c64(1), llvm::MaybeAlign(8), llvm::AtomicOrdering::AcquireRelease);
    count = b_.CreateSub(old, c64(1));
  } else {
    count = b_.CreateSub(b_.CreateLoad(i64(), mi), c64(1));
    b_.CreateStore(count, mi);
  }
  b_.CreateCondBr(b_.CreateICmpEQ(count, c64(0)), release, done);
  b_.SetInsertPoint(release);
  b_.CreateCall(m_.runtime("nk_array_free"), {mi});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

Value* FunctionLowering::hold(Val v) {
  if (!v.owned) return v.v;
  llvm::AllocaInst* slot = entry_alloca(ptr(), "temp");
  temp_slots_.push_back(slot);
  b_.CreateStore(b_.CreateExtractValue(v.v, 0), slot);
  pending_temps_.push_back(slot);
  return v.v;
}

void FunctionLowering::flush_temps() {
  if (terminated()) {
    pending_temps_.clear();
    return;
  }
  for (llvm::AllocaInst* slot : pending_temps_) {
    decref_meminfo(b_.CreateLoad(ptr(), slot));
    b_.CreateStore(llvm::ConstantPointerNull::get(ptr()), slot);
  }
  pending_temps_.clear();
}

void FunctionLowering::run() {
  begin_function();
  if (cuda_host()) {
    // The GPU copies of host arrays this call makes; freed by the exit block.
    session_ = entry_alloca(ptr(), "cuda.session");
    IRBuilder<> eb(entry_->getTerminator());
    eb.CreateStore(llvm::ConstantPointerNull::get(ptr()), session_);
    b_.CreateStore(b_.CreateCall(m_.runtime("nk_cuda_session_new"), {}), session_);
  }
  if (m_.is_recursive(&fn_) && !gpu()) {
    // Deep recursion raises RecursionError instead of overflowing the stack.
    Value* frame = b_.CreateIntrinsic(llvm::Intrinsic::frameaddress, {ptr()}, {b_.getInt32(0)});
    Value* limit = b_.CreateCall(m_.runtime("nk_stack_limit"), {});
    llvm::BasicBlock* deep = block("recursion.deep");
    llvm::BasicBlock* ok = block("recursion.ok");
    llvm::MDBuilder md(m_.ctx());
    b_.CreateCondBr(b_.CreateICmpULT(b_.CreatePtrToInt(frame, i64()), b_.CreatePtrToInt(limit, i64())), deep, ok,
                    md.createBranchWeights(1, 1 << 20));
    b_.SetInsertPoint(deep);
    b_.CreateCall(m_.runtime("nk_raise_recursion"), {m_.cstring(fn_.name), line(fn_.range)});
    unwind();
    b_.SetInsertPoint(ok);
  }
  auto arg = llfn_->arg_begin();
  if (fn_.return_type != none_type()) ret_ptr_ = &*arg++;
  std::vector<bool> unchanged = unchanged_array_params(fn_);  // ir/dimension_locals.h
  unchanged_params_.assign(fn_.locals.size(), nullptr);
  unchanged_values_.assign(fn_.locals.size(), nullptr);
  for (size_t i = 0, a = static_cast<size_t>(arg - llfn_->arg_begin()); i < fn_.params.size(); ++i, ++a)
    if (unchanged[i]) unchanged_params_[i] = llfn_->getArg(static_cast<unsigned>(a));
  // Before the parameters are loaded, so that their values are not live across the
  // call: kept in callee-saved registers, they made saxpy's vector loop (the same
  // instructions, addressed through rbp and rbx instead of rdx and r8) 10 % slower on
  // this Intel machine.
  begin_param_scopes(unchanged);
  // Parameters: copy in; arrays take their own reference for the call's duration,
  // except those the function never reassigns: the caller's reference outlives the
  // call, and skipping the count saves each such parameter five blocks of code.
  for (size_t i = 0; i < fn_.params.size(); ++i, ++arg) {
    const Type* t = fn_.params[i];
    Value* v = &*arg;
    if (t->is_array() || t->is_tuple()) v = load_value(t, v);
    if (unchanged_params_[i]) unchanged_values_[i] = v;
    if (t->is_array() && unchanged_params_[i]) borrow(i);
    else if (t->is_array()) incref(v);
    // A parameter's local may be wider than its argument (it is assigned wider values).
    b_.CreateStore(cast(v, t, fn_.locals[i].type), locals_[i]);
  }
  stmt(*fn_.body);
  end_function();
}

void FunctionLowering::begin_function() {
  if (nonnegative_.empty()) {
    nonnegative_ = nonnegative_locals(fn_);
    std::vector<bool> priv = private_arrays(fn_);
    llvm::MDBuilder md(m_.ctx());
    llvm::MDNode* domain = nullptr;
    std::map<int, llvm::MDNode*> scopes;
    for (size_t l = 0; l < priv.size(); ++l) {
      if (!priv[l]) continue;
      if (!domain) domain = md.createAnonymousAliasScopeDomain(fn_.name);
      scopes[static_cast<int>(l)] = md.createAnonymousAliasScope(domain, fn_.locals[l].name);
    }
    std::vector<llvm::Metadata*> all;
    for (const auto& [local, scope] : scopes) all.push_back(scope);
    if (!all.empty()) all_private_scopes_ = llvm::MDNode::get(m_.ctx(), all);
    for (const auto& [local, scope] : scopes) {
      std::vector<llvm::Metadata*> others;
      for (const auto& [other, other_scope] : scopes)
        if (other != local) others.push_back(other_scope);
      private_scopes_[local] = {llvm::MDNode::get(m_.ctx(), {scope}),
                                others.empty() ? nullptr : llvm::MDNode::get(m_.ctx(), others)};
    }
  }
  entry_ = block("entry");
  b_.SetInsertPoint(entry_);
  llvm::BasicBlock* body = block("body");
  exit_ = block("exit");
  {
    IRBuilder<> xb(exit_);
    exit_status_ = xb.CreatePHI(i32(), 4, "status");
  }
  // Locals live in allocas (SROA promotes them); arrays start empty (null meminfo).
  for (size_t i = 0; i < fn_.locals.size(); ++i) {
    const Local& l = fn_.locals[i];
    if (l.type->is_error() || l.type == none_type() || l.type->kind() == TypeKind::ArgList ||
        l.type->kind() == TypeKind::DType) {
      locals_.push_back(nullptr);
      continue;
    }
    llvm::AllocaInst* a = b_.CreateAlloca(vt(l.type), nullptr, l.name);
    locals_.push_back(a);
    if (l.type->is_array()) b_.CreateStore(llvm::Constant::getNullValue(vt(l.type)), a);
  }
  b_.CreateBr(body);
  b_.SetInsertPoint(body);
}

void FunctionLowering::end_function() {
  if (!terminated()) {
    if (session_) sync_session();
    exit_status_->addIncoming(c32(0), b_.GetInsertBlock());
    b_.CreateBr(exit_);
  }
  // The exit block releases every array local and temporary, on success and on error.
  // It goes last, where readers of the printed IR look for the return.
  exit_->moveAfter(&llfn_->back());
  b_.SetInsertPoint(exit_);
  for (size_t i = 0; i < fn_.locals.size(); ++i) {
    bool borrowed = i < borrowed_.size() && borrowed_[i];
    if (locals_[i] && fn_.locals[i].type->is_array() && !borrowed)
      decref(b_.CreateLoad(vt(fn_.locals[i].type), locals_[i]));
  }
  for (llvm::AllocaInst* slot : temp_slots_) {
    decref_meminfo(b_.CreateLoad(ptr(), slot));
  }
  if (session_) b_.CreateCall(m_.runtime("nk_cuda_session_free"), {b_.CreateLoad(ptr(), session_)});
  b_.CreateRet(exit_status_);
  // Temp slots start null (their stores are in the entry block, before the first use).
  IRBuilder<> eb(entry_->getTerminator());
  for (llvm::AllocaInst* slot : temp_slots_) eb.CreateStore(llvm::ConstantPointerNull::get(ptr()), slot);
}

// ---- statements ----

void FunctionLowering::stmt(const Stmt& s) {
  if (terminated()) start_dead_block();
  if (s.kind != StmtKind::Block) statement_range_ = s.range;
  switch (s.kind) {
    case StmtKind::Block:
      if (cuda_host() && &s == fn_.body.get()) {
        top_level_block(s.as<BlockStmt>());
        return;
      }
      for (const StmtRef& x : s.as<BlockStmt>().stmts) stmt(*x);
      return;
    case StmtKind::Assign: {
      const auto& a = s.as<AssignStmt>();
      Val v = expr(*a.value);
      if (!terminated()) assign_local(a.local, v);
      flush_temps();
      return;
    }
    case StmtKind::Store: {
      const auto& st = s.as<StoreStmt>();
      // Python evaluates the value before the target's array and indices.
      Value* v = scalar(*st.value);
      Val array = expr(*st.array);
      hold(array);
      Value* addr = element_address(array, st.array.get(), st.array->type, st.indices, s.range);
      store_element(addr, v, st.array->type->elem(), st.array.get());
      flush_temps();
      return;
    }
    case StmtKind::Eval: {
      Val v = expr(*s.as<EvalStmt>().expr);
      if (s.as<EvalStmt>().expr->type->is_array()) hold(v);
      flush_temps();
      return;
    }
    case StmtKind::If: {
      const auto& i = s.as<IfStmt>();
      Value* c = scalar(*i.cond);
      flush_temps();
      llvm::BasicBlock* then_bb = block("if.then");
      llvm::BasicBlock* else_bb = i.else_body ? block("if.else") : nullptr;
      llvm::BasicBlock* end_bb = block("if.end");
      b_.CreateCondBr(c, then_bb, else_bb ? else_bb : end_bb);
      b_.SetInsertPoint(then_bb);
      stmt(*i.then_body);
      if (!terminated()) b_.CreateBr(end_bb);
      if (else_bb) {
        b_.SetInsertPoint(else_bb);
        stmt(*i.else_body);
        if (!terminated()) b_.CreateBr(end_bb);
      }
      b_.SetInsertPoint(end_bb);
      return;
    }
    case StmtKind::While: {
      const auto& w = s.as<WhileStmt>();
      llvm::BasicBlock* cond_bb = block("while.cond");
      llvm::BasicBlock* body_bb = block("while.body");
      llvm::BasicBlock* end_bb = block("while.end");
      b_.CreateBr(cond_bb);
      b_.SetInsertPoint(cond_bb);
      Value* c = scalar(*w.cond);
      flush_temps();
      b_.CreateCondBr(c, body_bb, end_bb);
      b_.SetInsertPoint(body_bb);
      loops_.push_back({cond_bb, end_bb});
      stmt(*w.body);
      loops_.pop_back();
      if (!terminated()) b_.CreateBr(cond_bb);
      b_.SetInsertPoint(end_bb);
      return;
    }
    case StmtKind::ForRange: for_range(s.as<ForRangeStmt>()); return;
    case StmtKind::Break:
      NK_CHECK(!loops_.empty()) << "break outside a loop";
      b_.CreateBr(loops_.back().second);
      return;
    case StmtKind::Continue:
      NK_CHECK(!loops_.empty()) << "continue outside a loop";
      b_.CreateBr(loops_.back().first);
      return;
    case StmtKind::Return: {
      const auto& r = s.as<ReturnStmt>();
      if (r.value) {
        Val v = expr(*r.value);
        if (terminated()) return;
        if (r.value->type->is_array() && !v.owned) incref(v.v);
        b_.CreateStore(v.v, ret_ptr_);
      }
      flush_temps();
      if (cuda_host()) sync_session();
      exit_status_->addIncoming(c32(0), b_.GetInsertBlock());
      b_.CreateBr(exit_);
      return;
    }
    case StmtKind::Raise: {
      const auto& r = s.as<RaiseStmt>();
      Value* msg = r.message ? scalar(*r.message) : m_.string_constant("");
      if (terminated()) return;
      b_.CreateCall(m_.runtime("nk_raise"), {m_.cstring(r.exception), b_.CreateExtractValue(msg, 0),
                                             b_.CreateExtractValue(msg, 1), line(s.range)});
      raise_here(s.range);
      return;
    }
    case StmtKind::Assert: {
      const auto& a = s.as<AssertStmt>();
      Value* c = scalar(*a.cond);
      flush_temps();
      llvm::BasicBlock* fail = block("assert.fail");
      llvm::BasicBlock* ok = block("assert.ok");
      b_.CreateCondBr(c, ok, fail);
      b_.SetInsertPoint(fail);
      Value* msg = a.message ? scalar(*a.message) : m_.string_constant("");
      if (!terminated()) {
        b_.CreateCall(m_.runtime("nk_raise"), {m_.cstring("AssertionError"), b_.CreateExtractValue(msg, 0),
                                               b_.CreateExtractValue(msg, 1), line(s.range)});
        raise_here(s.range);
      }
      b_.SetInsertPoint(ok);
      return;
    }
    case StmtKind::Print: print(s.as<PrintStmt>()); flush_temps(); return;
  }
}

void FunctionLowering::raise_constant(const char* kind, const std::string& message, SourceRange r) {
  Value* msg = m_.string_constant(message);
  b_.CreateCall(m_.runtime("nk_raise"), {m_.cstring(kind), b_.CreateExtractValue(msg, 0), b_.CreateExtractValue(msg, 1), line(r)});
  unwind();
}

void FunctionLowering::check_step(Value* step, SourceRange r) {
  llvm::BasicBlock* bad = block("range.zero_step");
  llvm::BasicBlock* good = block("range.ok");
  b_.CreateCondBr(b_.CreateICmpEQ(step, c64(0)), bad, good);
  b_.SetInsertPoint(bad);
  raise_constant("ValueError", "range() arg 3 must not be zero", r);
  b_.SetInsertPoint(good);
}

void FunctionLowering::raise_here(SourceRange r) {
  (void)r;
  unwind();
}

void FunctionLowering::assign_local(int index, Val v) {
  llvm::AllocaInst* slot = locals_[static_cast<size_t>(index)];
  if (!slot) return;
  const Type* t = fn_.locals[static_cast<size_t>(index)].type;
  if (!t->is_array()) {
    b_.CreateStore(v.v, slot);
    return;
  }
  if (!v.owned) incref(v.v);
  Value* old = b_.CreateLoad(vt(t), slot);
  b_.CreateStore(v.v, slot);
  decref(old);
}

void FunctionLowering::for_range(const ForRangeStmt& s) {
  // prange in a parallel=True function runs on the thread pool; nested in another
  // prange (or anywhere else) it is an ordinary loop.
  if (s.parallel && fn_.options.parallel && !in_chunk_) {
    parallel_for_range(s);
    return;
  }
  Value* start = scalar(*s.start);
  Value* stop = scalar(*s.stop);
  Value* step = scalar(*s.step);
  flush_temps();
  auto* const_step = llvm::dyn_cast<llvm::ConstantInt>(step);
  if (!const_step) {
    check_step(step, s.range);
  } else if (const_step->isZero()) {
    raise_constant("ValueError", "range() arg 3 must not be zero", s.range);
    return;
  }
  // An innermost unit-step loop whose accesses a[..., i + c, ...] can be checked once
  // up front runs in two versions: unchecked when the whole index range is in bounds,
  // the ordinary checked loop otherwise (so errors are still raised where they occur).
  LoopVersioning versioning;
  bool unit_step = const_step && const_step->isOne() && proven_loopvar_ < 0;
  if (unit_step && boundscheck()) versioning = versioned_accesses(s);
  // Without bounds checks an innermost loop is versioned on the parameter scopes alone
  // (begin_param_scopes), its other version the same loop without them.
  bool overlap_only = unit_step && !boundscheck() && params_disjoint_ && !contains_loop(s) && scoped_loop(s);
  if (versioning.empty() && !overlap_only) {
    emit_serial_loop(s, start, stop, step, const_step);
    return;
  }
  auto axis_size = [&](int array, int axis) {
    Value* desc = b_.CreateLoad(vt(fn_.locals[static_cast<size_t>(array)].type), locals_[static_cast<size_t>(array)]);
    return b_.CreateExtractValue(desc, {2u, static_cast<unsigned>(axis)});
  };
  Value* ok = b_.getTrue();
  for (const VersionedAccess& a : versioning.offsets) {
    Value* size = axis_size(a.array, a.axis);
    Value* lo = b_.CreateAdd(start, c64(a.min_offset));
    Value* hi = b_.CreateAdd(b_.CreateSub(stop, c64(1)), c64(a.max_offset));
    ok = b_.CreateAnd(ok, b_.CreateAnd(b_.CreateICmpSGE(lo, c64(0)), b_.CreateICmpSLT(hi, size)));
  }
  for (const InvariantIndex& a : versioning.invariants) {
    Value* size = axis_size(a.array, a.axis);
    Value* index = scalar(*a.index);  // pure: constants, locals, + - *
    ok = b_.CreateAnd(ok, b_.CreateAnd(b_.CreateICmpSGE(index, b_.CreateNeg(size)), b_.CreateICmpSLT(index, size)));
  }
  // The unchecked copy also runs only when the array parameters do not overlap, where
  // that helps it (begin_param_scopes).
  bool scoped = params_disjoint_ && scoped_loop(s);
  if (scoped) ok = b_.CreateAnd(ok, params_disjoint_);
  llvm::BasicBlock* fast = block("for.unchecked");
  llvm::BasicBlock* slow = block("for.checked");
  llvm::BasicBlock* done = block("for.done");
  // The checked copy is the rare path (an index about to fail, or one that wraps around,
  // or overlapping arrays).
  llvm::MDBuilder md(m_.ctx());
  b_.CreateCondBr(b_.CreateOr(ok, b_.CreateICmpSGE(start, stop)), fast, slow, md.createBranchWeights(1 << 20, 1));
  b_.SetInsertPoint(fast);
  proven_loopvar_ = s.local;
  scope_params_ = scoped;
  for (const VersionedAccess& a : versioning.offsets) proven_.insert({a.array, a.axis});
  for (const InvariantIndex& a : versioning.invariants) proven_invariant_.insert(a.index);
  emit_serial_loop(s, start, stop, step, const_step);
  proven_.clear();
  proven_invariant_.clear();
  proven_loopvar_ = -1;
  scope_params_ = false;
  if (!terminated()) b_.CreateBr(done);
  b_.SetInsertPoint(slow);
  if (outline_checked_copy(s)) call_checked_copy(s, start, stop);
  else emit_serial_loop(s, start, stop, step, const_step, /*fallback=*/true);
  if (!terminated()) b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

// Loop metadata. A loop LLVM vectorises keeps a scalar copy for the last iterations
// (fewer than the vector step, 32 for float64 on AVX-512); left alone, LLVM unrolls that
// copy at run time too, and strength reduction over its unrolled addresses was the
// largest single cost of compiling loop nests (jacobi_2d 55 -> 41 ms). So the scalar
// remainder of a vectorised loop is not unrolled; loops LLVM does not vectorise keep
// their unrolling (the metadata below applies to the remainder only).
// A loop's identity (distinct, its first operand itself) with these properties.
static llvm::MDNode* make_loop_id(llvm::LLVMContext& ctx, llvm::ArrayRef<llvm::Metadata*> properties) {
  std::vector<llvm::Metadata*> ops{nullptr};
  ops.insert(ops.end(), properties.begin(), properties.end());
  llvm::MDNode* id = llvm::MDNode::getDistinct(ctx, ops);
  id->replaceOperandWith(0, id);
  return id;
}

static llvm::MDNode* loop_property(llvm::LLVMContext& ctx, const char* name, llvm::Constant* value = nullptr) {
  if (!value) return llvm::MDNode::get(ctx, {llvm::MDString::get(ctx, name)});
  return llvm::MDNode::get(ctx, {llvm::MDString::get(ctx, name), llvm::ConstantAsMetadata::get(value)});
}

llvm::MDNode* FunctionLowering::loop_id() {
  llvm::LLVMContext& ctx = m_.ctx();
  llvm::MDNode* remainder = llvm::MDNode::get(
      ctx, {llvm::MDString::get(ctx, "llvm.loop.vectorize.followup_epilogue"),
            loop_property(ctx, "llvm.loop.isvectorized", b_.getInt32(1)),
            loop_property(ctx, "llvm.loop.unroll.runtime.disable")});
  return make_loop_id(ctx, {remainder});
}

// The checked copy of a versioned loop runs only when an index may be out of bounds:
// neither vectorised nor unrolled, it stays small and cheap to compile.
llvm::MDNode* FunctionLowering::fallback_loop_id() {
  llvm::LLVMContext& ctx = m_.ctx();
  return make_loop_id(ctx, {loop_property(ctx, "llvm.loop.vectorize.enable", b_.getFalse()),
                            loop_property(ctx, "llvm.loop.unroll.disable")});
}

void FunctionLowering::emit_serial_loop(const ForRangeStmt& s, Value* start, Value* stop, Value* step,
                                        llvm::ConstantInt* const_step, bool fallback) {
  llvm::BasicBlock* pre = b_.GetInsertBlock();
  llvm::BasicBlock* header = block("for.cond");
  llvm::BasicBlock* body = block("for.body");
  llvm::BasicBlock* latch = block("for.inc");
  llvm::BasicBlock* end = block("for.end");
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  llvm::PHINode* i = b_.CreatePHI(i64(), 2, "i");
  i->addIncoming(start, pre);
  Value* more;
  if (const_step) {
    more = const_step->isNegative() ? b_.CreateICmpSGT(i, stop) : b_.CreateICmpSLT(i, stop);
  } else {
    more = b_.CreateSelect(b_.CreateICmpSGT(step, c64(0)), b_.CreateICmpSLT(i, stop), b_.CreateICmpSGT(i, stop));
  }
  b_.CreateCondBr(more, body, end);
  b_.SetInsertPoint(body);
  b_.CreateStore(i, locals_[static_cast<size_t>(s.local)]);
  loops_.push_back({latch, end});
  stmt(*s.body);
  loops_.pop_back();
  if (!terminated()) b_.CreateBr(latch);
  b_.SetInsertPoint(latch);
  // Python's range never overflows; the step is added with nsw so LLVM may assume so.
  Value* next = b_.CreateNSWAdd(i, step);
  i->addIncoming(next, latch);
  llvm::BranchInst* back = b_.CreateBr(header);
  back->setMetadata(llvm::LLVMContext::MD_loop, fallback ? fallback_loop_id() : loop_id());
  b_.SetInsertPoint(end);
}

// The loop variable plus a constant (i, i + 1, i - 1, 1 + i); false for anything else.
bool loop_offset(const Expr& index, int loopvar, int64_t& offset) {
  auto is_var = [&](const ExprRef& e) { return e->kind == ExprKind::Local && e->as<LocalExpr>().index == loopvar; };
  auto is_const = [](const ExprRef& e) { return e->kind == ExprKind::Const && e->type == int64(); };
  if (index.kind == ExprKind::Local) {
    offset = 0;
    return index.as<LocalExpr>().index == loopvar;
  }
  if (index.kind != ExprKind::Binary) return false;
  const auto& b = index.as<BinaryExpr>();
  if (b.op == BinaryOp::Add && is_var(b.lhs) && is_const(b.rhs)) offset = b.rhs->as<ConstExpr>().int_value;
  else if (b.op == BinaryOp::Add && is_const(b.lhs) && is_var(b.rhs)) offset = b.lhs->as<ConstExpr>().int_value;
  else if (b.op == BinaryOp::Sub && is_var(b.lhs) && is_const(b.rhs)) offset = -b.rhs->as<ConstExpr>().int_value;
  else return false;
  return offset > -(int64_t{1} << 40) && offset < (int64_t{1} << 40);
}

// ---- checked copies of versioned loops ----
//
// The checked copy runs only when an index of the loop may be out of bounds, which in a
// correct program is never or rarely, yet compiled inline it cost a sixth of a loop
// nest's first call (LLVM optimises it as hard as the loop that runs). So it becomes a
// function of its own, `i32 PARENT.checked.K(ptr context)`, that the caller reaches
// through a slot the JIT fills on the first call (nk_resolve_checked compiles the copy
// then; codegen/checked_copies.h moves it out of the module). The context is an array
// of pointers: to a copy of each local the loop uses (the caller's own locals stay
// unescaped, so LLVM keeps them in registers), then to the loop's start and stop. The
// copy takes its own references to the arrays, runs the loop with every check, and
// writes back the locals it assigns; arrays it writes back carry a reference for the
// caller, which releases the values they replace.

bool FunctionLowering::outline_checked_copy(const ForRangeStmt& s) const {
  // GPU code and @jit(target="cuda") host functions keep the copy inline (device
  // sessions, launches); so does a loop with `return`, which leaves the caller too.
  if (gpu() || cuda_host()) return false;
  bool returns = false;
  std::function<void(const Stmt&)> scan = [&](const Stmt& x) {
    if (x.kind == StmtKind::Return) returns = true;
    for_each_child(x, [](const Expr&) {}, scan);
  };
  scan(*s.body);
  return !returns;
}

FunctionLowering::CopyLocals FunctionLowering::copy_locals(const ForRangeStmt& s) const {
  // Only what the loop may read before assigning it is copied in: a copy of a value the
  // loop overwrites first (the loop variable, a temporary) would keep the caller's
  // previous value alive across its loops, in a register or a spill slot. A statement
  // of the body's own sequence that assigns a local defines it for the statements
  // after; assignments nested in `if`s do not (and their locals are copied in, since
  // they keep their values when the branch is not taken). The loop runs at least once
  // here (an empty range takes the unchecked path), so its variable is always defined.
  std::set<int> assigned{s.local}, defined{s.local}, in;
  std::function<void(const Stmt&)> scan_assigned = [&](const Stmt& x) {
    if (x.kind == StmtKind::Assign) assigned.insert(x.as<AssignStmt>().local);
    for_each_child(x, [](const Expr&) {}, scan_assigned);
  };
  scan_assigned(*s.body);
  auto read = [&](const Stmt& x) {
    walk_exprs(x, [&](const Expr& e) {
      if (e.kind == ExprKind::Local && !defined.count(e.as<LocalExpr>().index)) in.insert(e.as<LocalExpr>().index);
    });
  };
  const Stmt& body = *s.body;
  if (body.kind == StmtKind::Block) {
    for (const StmtRef& x : body.as<BlockStmt>().stmts) {
      read(*x);
      if (x->kind == StmtKind::Assign) defined.insert(x->as<AssignStmt>().local);
    }
  } else {
    read(body);
    if (body.kind == StmtKind::Assign) defined.insert(body.as<AssignStmt>().local);
  }
  for (int l : assigned)
    if (!defined.count(l)) in.insert(l);
  CopyLocals out;
  std::set<int> all;
  for (int l : in)
    if (locals_[static_cast<size_t>(l)]) out.in.push_back(l), all.insert(l);
  for (int l : assigned)
    if (locals_[static_cast<size_t>(l)]) out.out.push_back(l), all.insert(l);
  out.all.assign(all.begin(), all.end());
  return out;
}

void FunctionLowering::call_checked_copy(const ForRangeStmt& s, Value* start, Value* stop) {
  CopyLocals info = copy_locals(s);
  size_t n = fn_.locals.size();
  auto* ctx_t = llvm::ArrayType::get(ptr(), n + 2);
  Value* ctx = entry_alloca(ctx_t, "checked.ctx");
  auto ctx_at = [&](size_t k) { return b_.CreateConstGEP2_64(ctx_t, ctx, 0, k); };
  std::map<int, llvm::AllocaInst*> copies;
  std::set<int> copied_in(info.in.begin(), info.in.end());
  for (int l : info.all) {
    Value* param = unchanged_params_.empty() ? nullptr : unchanged_params_[static_cast<size_t>(l)];
    if (param && copied_in.count(l)) {  // (never assigned, so never written back)
      b_.CreateStore(param, ctx_at(static_cast<size_t>(l)));  // the caller's own descriptor
      continue;
    }
    llvm::Type* t = vt(fn_.locals[static_cast<size_t>(l)].type);
    llvm::AllocaInst* copy = entry_alloca(t, "checked.local");
    if (copied_in.count(l)) b_.CreateStore(b_.CreateLoad(t, locals_[static_cast<size_t>(l)]), copy);
    b_.CreateStore(copy, ctx_at(static_cast<size_t>(l)));
    copies[l] = copy;
  }
  Value* bounds[2] = {start, stop};
  for (size_t k = 0; k < 2; ++k) {
    llvm::AllocaInst* slot = entry_alloca(i64(), "checked.range");
    b_.CreateStore(bounds[k], slot);
    b_.CreateStore(slot, ctx_at(n + k));
  }

  llvm::Function* copy_fn = m_.new_checked_function(llfn_->getName().str());
  {
    FunctionLowering body(m_, fn_, copy_fn);
    body.in_chunk_ = in_chunk_;
    body.run_checked_copy(s, info);
  }

  // The call goes through a slot: it holds the copy once compiled, and until then a
  // stub that asks the JIT for it (and fills the slot). The copy and the stub preserve
  // the general-purpose registers (LLVM's preserve_most), so that this call, on a rare
  // path inside a loop nest, does not make the register allocator spill the loop's
  // counters and pointers on its hot paths (pairwise_par's row loop ran 12 % slower with
  // a C call there). Not preserve_all: LLVM 19 ends a preserve_all function with
  // vzeroupper after restoring the YMM registers it promised to keep, so the caller
  // loses their upper halves.
  llvm::Module& mod = m_.module();
  copy_fn->setCallingConv(llvm::CallingConv::PreserveMost);
  auto* stub = llvm::Function::Create(copy_fn->getFunctionType(), llvm::Function::InternalLinkage,
                                      copy_fn->getName() + ".first", &mod);
  stub->setCallingConv(llvm::CallingConv::PreserveMost);
  // The stub runs once: neither optimised nor compiled with care (optnone), which saved
  // 2 % of the benchmarks' first-call instructions (a sixth of a small kernel's).
  stub->addFnAttr(llvm::Attribute::OptimizeNone);
  stub->addFnAttr(llvm::Attribute::NoInline);
  auto* slot = new llvm::GlobalVariable(mod, ptr(), false, llvm::GlobalValue::InternalLinkage, stub,
                                        copy_fn->getName() + ".slot");
  {
    IRBuilder<> sb(llvm::BasicBlock::Create(m_.ctx(), "entry", stub));
    llvm::FunctionCallee resolver = mod.getOrInsertFunction(kResolveCheckedSymbol, ptr(), ptr(), ptr(), ptr());
    Value* engine = mod.getOrInsertGlobal(kEngineSymbol, i8());
    Value* found = sb.CreateCall(resolver, {engine, m_.cstring(copy_fn->getName().str()), slot});
    llvm::BasicBlock* run = llvm::BasicBlock::Create(m_.ctx(), "run", stub);
    llvm::BasicBlock* unavailable = llvm::BasicBlock::Create(m_.ctx(), "unavailable", stub);
    sb.CreateCondBr(sb.CreateIsNull(found), unavailable, run);
    sb.SetInsertPoint(run);
    llvm::CallInst* status = sb.CreateCall(copy_fn->getFunctionType(), found, {stub->getArg(0)});
    status->setCallingConv(llvm::CallingConv::PreserveMost);
    sb.CreateRet(status);
    sb.SetInsertPoint(unavailable);
    Value* msg = m_.string_constant("nk: the checked copy of this loop could not be compiled (see the error above)");
    sb.CreateCall(m_.runtime("nk_raise"), {m_.cstring("RuntimeError"), sb.CreateExtractValue(msg, 0),
                                           sb.CreateExtractValue(msg, 1), line(s.range)});
    sb.CreateRet(c32(1));
  }
  llvm::LoadInst* target = b_.CreateAlignedLoad(ptr(), slot, llvm::Align(8));
  target->setAtomic(llvm::AtomicOrdering::Acquire);
  llvm::CallInst* status = b_.CreateCall(copy_fn->getFunctionType(), target, {ctx});
  status->setCallingConv(llvm::CallingConv::PreserveMost);
  check_status(status);

  for (int l : info.out) {
    const Type* t = fn_.locals[static_cast<size_t>(l)].type;
    Value* v = b_.CreateLoad(vt(t), copies.at(l));
    if (!t->is_array()) {
      b_.CreateStore(v, locals_[static_cast<size_t>(l)]);
      continue;
    }
    Value* old = b_.CreateLoad(vt(t), locals_[static_cast<size_t>(l)]);
    b_.CreateStore(v, locals_[static_cast<size_t>(l)]);
    decref(old);
  }
}

void FunctionLowering::run_checked_copy(const ForRangeStmt& s, const CopyLocals& info) {
  begin_function();
  Value* ctx = llfn_->getArg(0);
  size_t n = fn_.locals.size();
  auto ctx_slot = [&](size_t k) { return b_.CreateLoad(ptr(), b_.CreateConstGEP1_64(ptr(), ctx, k)); };
  for (int l : info.in) {
    const Type* t = fn_.locals[static_cast<size_t>(l)].type;
    Value* v = load_value(t, ctx_slot(static_cast<size_t>(l)));
    if (t->is_array() && std::find(info.out.begin(), info.out.end(), l) == info.out.end()) borrow(static_cast<size_t>(l));
    else if (t->is_array()) incref(v);
    b_.CreateStore(v, locals_[static_cast<size_t>(l)]);
  }
  Value* start = b_.CreateLoad(i64(), ctx_slot(n));
  Value* stop = b_.CreateLoad(i64(), ctx_slot(n + 1));
  emit_serial_loop(s, start, stop, c64(1), llvm::cast<llvm::ConstantInt>(c64(1)), /*fallback=*/true);
  if (!terminated()) {
    for (int l : info.out) {
      const Type* t = fn_.locals[static_cast<size_t>(l)].type;
      Value* v = b_.CreateLoad(vt(t), locals_[static_cast<size_t>(l)]);
      if (t->is_array()) incref(v);
      b_.CreateStore(v, ctx_slot(static_cast<size_t>(l)));
    }
  }
  end_function();
}

LoopVersioning FunctionLowering::versioned_accesses(const ForRangeStmt& s) {
  // Only innermost loops (versioning nested loops would copy bodies exponentially), and
  // only while the loop variable and the arrays keep their values through the body.
  if (contains_loop(s)) return {};
  std::set<int> assigned = defined_locals(*s.body);
  if (assigned.count(s.local)) return {};
  // Integer arithmetic that cannot raise, on values the body does not change.
  std::function<bool(const Expr&)> invariant = [&](const Expr& e) {
    if (e.type != int64()) return false;
    if (e.kind == ExprKind::Const) return true;
    if (e.kind == ExprKind::Local) {
      int l = e.as<LocalExpr>().index;
      return l != s.local && !assigned.count(l);
    }
    if (e.kind != ExprKind::Binary) return false;
    const auto& b = e.as<BinaryExpr>();
    return (b.op == BinaryOp::Add || b.op == BinaryOp::Sub || b.op == BinaryOp::Mul) && invariant(*b.lhs) &&
           invariant(*b.rhs);
  };
  LoopVersioning out;
  std::map<std::pair<int, int>, VersionedAccess> found;
  for_each_element_access(*s.body, [&](const Expr& array, const std::vector<ExprRef>& indices, bool) {
    if (array.kind != ExprKind::Local) return;
    int a = array.as<LocalExpr>().index;
    if (assigned.count(a) || !fn_.locals[static_cast<size_t>(a)].type->is_array()) return;
    for (size_t k = 0; k < indices.size(); ++k) {
      int64_t offset;
      if (invariant(*indices[k])) {
        // Only arithmetic (i + 1, n - 1 - i): a constant is checked cheaply where it is
        // (and is often negative), and LLVM moves the one check of a bare local out of
        // the loop by itself (measured on matmul, with better code than when it is
        // checked here).
        if (indices[k]->kind == ExprKind::Binary) out.invariants.push_back({a, static_cast<int>(k), indices[k].get()});
        continue;
      }
      if (!loop_offset(*indices[k], s.local, offset)) continue;
      auto [it, fresh] = found.insert({{a, static_cast<int>(k)}, {a, static_cast<int>(k), offset, offset}});
      if (!fresh) {
        it->second.min_offset = std::min(it->second.min_offset, offset);
        it->second.max_offset = std::max(it->second.max_offset, offset);
      }
    }
  });
  for (const auto& [key, access] : found) out.offsets.push_back(access);
  return out;
}

FunctionLowering::Proof FunctionLowering::index_proven(const Expr& array, int axis, const Expr& index) const {
  if (proven_loopvar_ < 0 || array.kind != ExprKind::Local) return Proof::None;
  if (proven_invariant_.count(&index)) return Proof::WrapOnly;
  if (!proven_.count({array.as<LocalExpr>().index, axis})) return Proof::None;
  int64_t offset;
  return loop_offset(index, proven_loopvar_, offset) ? Proof::InBounds : Proof::None;
}

// ---- parallel loops ----
//
// The parent evaluates the range, then calls nk_parallel_for with a chunk function
// and a context: an array of pointers to the parent's locals, then to start, step and
// the iteration count, then one buffer of per-chunk partial results per reduction.
// Each chunk copies the locals in (reductions start at their identity), runs its
// iterations, stores its partial results, and the chunk that runs the last iteration
// writes the variables the body assigns back (Python leaves them with the last
// iteration's values). The parent then folds the partial results into the reduction
// variables in chunk order, so the result is the same for a given thread count.

Value* FunctionLowering::identity(ReductionOp op, const Type* t) {
  llvm::Type* ty = vt(t);
  bool f = t->is_float();
  switch (op) {
    case ReductionOp::Add:
    case ReductionOp::BitOr:
    case ReductionOp::BitXor: return f ? llvm::ConstantFP::get(ty, 0.0) : llvm::ConstantInt::get(ty, 0);
    case ReductionOp::Mul: return f ? llvm::ConstantFP::get(ty, 1.0) : llvm::ConstantInt::get(ty, 1);
    case ReductionOp::BitAnd: return llvm::ConstantInt::getAllOnesValue(ty);
    case ReductionOp::Min:
      if (f) return llvm::ConstantFP::getInfinity(ty);
      return t->is_signed() ? llvm::ConstantInt::get(ty, llvm::APInt::getSignedMaxValue(t->bits()))
                            : llvm::ConstantInt::get(ty, llvm::APInt::getMaxValue(t->bits()));
    case ReductionOp::Max:
      if (f) return llvm::ConstantFP::getInfinity(ty, true);
      return t->is_signed() ? llvm::ConstantInt::get(ty, llvm::APInt::getSignedMinValue(t->bits()))
                            : llvm::ConstantInt::get(ty, 0);
  }
  return nullptr;
}

Value* FunctionLowering::combine(ReductionOp op, const Type* t, Value* a, Value* b) {
  bool f = t->is_float();
  bool s = t->is_int() && t->is_signed();
  switch (op) {
    case ReductionOp::Add: return f ? b_.CreateFAdd(a, b) : b_.CreateAdd(a, b);
    case ReductionOp::Mul: return f ? b_.CreateFMul(a, b) : b_.CreateMul(a, b);
    case ReductionOp::BitOr: return b_.CreateOr(a, b);
    case ReductionOp::BitAnd: return b_.CreateAnd(a, b);
    case ReductionOp::BitXor: return b_.CreateXor(a, b);
    case ReductionOp::Min: {
      Value* better = f ? b_.CreateFCmpOLT(b, a) : s ? b_.CreateICmpSLT(b, a) : b_.CreateICmpULT(b, a);
      return b_.CreateSelect(better, b, a);
    }
    case ReductionOp::Max: {
      Value* better = f ? b_.CreateFCmpOGT(b, a) : s ? b_.CreateICmpSGT(b, a) : b_.CreateICmpUGT(b, a);
      return b_.CreateSelect(better, b, a);
    }
  }
  return a;
}

constexpr int kMaxChunks = 1024;  // the thread pool's limit (NK_NUM_THREADS <= 1024)

FunctionLowering::RangeValues FunctionLowering::evaluate_range(const ForRangeStmt& s) {
  Value* start = scalar(*s.start);
  Value* stop = scalar(*s.stop);
  Value* step = scalar(*s.step);
  flush_temps();
  check_step(step, s.range);
  return {start, step, iteration_count(start, stop, step)};
}

void FunctionLowering::parallel_for_range(const ForRangeStmt& s) {
  ParallelLoop info = analyze_parallel_loop(s);
  auto [start, step, count] = evaluate_range(s);
  Value* threads = b_.CreateCall(m_.runtime("nk_num_threads"), {});
  Value* chunks = b_.CreateSelect(b_.CreateICmpSLT(count, threads), count, threads);

  size_t n = fn_.locals.size();
  std::vector<std::pair<int, ReductionOp>> reductions(info.reductions.begin(), info.reductions.end());
  auto* ctx_t = llvm::ArrayType::get(ptr(), n + 3 + reductions.size());
  Value* ctx = entry_alloca(ctx_t, "prange.ctx");
  for (size_t i = 0; i < n; ++i) {
    Value* p = locals_[i] ? static_cast<Value*>(locals_[i]) : llvm::ConstantPointerNull::get(ptr());
    b_.CreateStore(p, b_.CreateConstGEP2_64(ctx_t, ctx, 0, i));
  }
  Value* range_vals[3] = {start, step, count};
  for (size_t k = 0; k < 3; ++k) {
    Value* slot = entry_alloca(i64(), "prange.range");
    b_.CreateStore(range_vals[k], slot);
    b_.CreateStore(slot, b_.CreateConstGEP2_64(ctx_t, ctx, 0, n + k));
  }
  std::vector<std::pair<Value*, llvm::Type*>> partials;
  for (size_t r = 0; r < reductions.size(); ++r) {
    llvm::Type* et = vt(fn_.locals[static_cast<size_t>(reductions[r].first)].type);
    auto* buf_t = llvm::ArrayType::get(et, kMaxChunks);
    Value* buf = entry_alloca(buf_t, "prange.partial");
    b_.CreateStore(buf, b_.CreateConstGEP2_64(ctx_t, ctx, 0, n + 3 + r));
    partials.push_back({buf, buf_t});
  }

  llvm::Function* chunk = m_.new_chunk_function(llfn_->getName().str());
  FunctionLowering body(m_, fn_, chunk);
  body.run_chunk(s, info);

  check_status(b_.CreateCall(m_.runtime("nk_parallel_for"), {chunk, ctx, count, chunks}));
  // Fold the partial results in chunk order.
  for (size_t r = 0; r < reductions.size(); ++r)
    fold_partials(reductions[r].first, reductions[r].second, chunks, "prange.fold", [&](Value* c) {
      const Type* t = fn_.locals[static_cast<size_t>(reductions[r].first)].type;
      return b_.CreateLoad(vt(t), b_.CreateGEP(partials[r].second, partials[r].first, {c64(0), c}));
    });
}

// local = local OP part(0) OP part(1) ... OP part(count - 1), in that order: the
// partial results of prange chunks or GPU blocks, folded deterministically.
void FunctionLowering::fold_partials(int local, ReductionOp op, Value* count, const char* name,
                                     const std::function<Value*(Value* c)>& part) {
  const Type* t = fn_.locals[static_cast<size_t>(local)].type;
  std::string n = name;
  llvm::BasicBlock* pre = b_.GetInsertBlock();
  llvm::BasicBlock* header = block(n.c_str());
  llvm::BasicBlock* body = block((n + ".body").c_str());
  llvm::BasicBlock* done = block((n + ".end").c_str());
  Value* initial = b_.CreateLoad(vt(t), locals_[static_cast<size_t>(local)]);
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  llvm::PHINode* c = b_.CreatePHI(i64(), 2);
  llvm::PHINode* acc = b_.CreatePHI(vt(t), 2);
  c->addIncoming(c64(0), pre);
  acc->addIncoming(initial, pre);
  b_.CreateCondBr(b_.CreateICmpSLT(c, count), body, done);
  b_.SetInsertPoint(body);
  Value* next = combine(op, t, acc, part(c));
  llvm::BasicBlock* end = b_.GetInsertBlock();
  c->addIncoming(b_.CreateAdd(c, c64(1)), end);
  acc->addIncoming(next, end);
  b_.CreateBr(header);
  b_.SetInsertPoint(done);
  b_.CreateStore(acc, locals_[static_cast<size_t>(local)]);
}

// Iterations k = first, first + stride, ... < limit of loop `s`, its variable taking
// start + k * step: a chunk of a prange loop, or one GPU thread's share of a loop.
void FunctionLowering::run_iterations(const ForRangeStmt& s, Value* first, Value* limit, Value* stride, Value* start,
                                      Value* step, const char* name) {
  std::string n = name;
  llvm::BasicBlock* pre = b_.GetInsertBlock();
  llvm::BasicBlock* header = block((n + ".cond").c_str());
  llvm::BasicBlock* body = block((n + ".body").c_str());
  llvm::BasicBlock* latch = block((n + ".inc").c_str());
  llvm::BasicBlock* done = block((n + ".end").c_str());
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  llvm::PHINode* k = b_.CreatePHI(i64(), 2, "k");
  k->addIncoming(first, pre);
  b_.CreateCondBr(b_.CreateICmpSLT(k, limit), body, done);
  b_.SetInsertPoint(body);
  b_.CreateStore(b_.CreateAdd(start, b_.CreateMul(k, step)), locals_[static_cast<size_t>(s.local)]);
  loops_.push_back({latch, done});
  stmt(*s.body);
  loops_.pop_back();
  if (!terminated()) b_.CreateBr(latch);
  b_.SetInsertPoint(latch);
  // k < limit, and limit + stride stays far from overflow (counts and grids are small).
  k->addIncoming(b_.CreateNSWAdd(k, stride), latch);
  b_.CreateBr(header)->setMetadata(llvm::LLVMContext::MD_loop, loop_id());
  b_.SetInsertPoint(done);
}

void FunctionLowering::run_chunk(const ForRangeStmt& s, const ParallelLoop& info) {
  in_chunk_ = true;
  begin_function();
  Value* ctx = llfn_->getArg(0);
  Value* begin = llfn_->getArg(1);
  Value* end = llfn_->getArg(2);
  Value* chunk = llfn_->getArg(3);
  size_t n = fn_.locals.size();
  auto ctx_slot = [&](size_t k) { return b_.CreateLoad(ptr(), b_.CreateConstGEP1_64(ptr(), ctx, k)); };
  // Copy the locals in; each chunk owns a reference to every array it holds.
  for (size_t i = 0; i < n; ++i) {
    if (!locals_[i]) continue;
    const Type* t = fn_.locals[i].type;
    auto red = info.reductions.find(static_cast<int>(i));
    if (red != info.reductions.end()) {
      b_.CreateStore(identity(red->second, t), locals_[i]);
      continue;
    }
    Value* v = load_value(t, ctx_slot(i));
    // The parent holds its arrays until every chunk is done: those the body does not
    // assign are borrowed, not counted (atomically) by each chunk.
    if (t->is_array() && !info.assigned.count(static_cast<int>(i))) borrow(i);
    else if (t->is_array()) incref(v);
    b_.CreateStore(v, locals_[i]);
  }
  // A local that always holds a dimension of an unchanged array parameter (n =
  // X.shape[0], ir/dimension_locals.h) is read from that array's descriptor, not the
  // context: LLVM then knows n == X.shape[0], as in a serial loop, and drops the checks
  // of X[j, ...] for j in range(n).
  std::map<int, std::pair<int, int>> dims = dimension_locals(fn_);
  for (const auto& [local, dim] : dims) {
    auto l = static_cast<size_t>(local), a = static_cast<size_t>(dim.first);
    if (!locals_[l] || !locals_[a] || info.reductions.count(local)) continue;
    Value* array = b_.CreateLoad(vt(fn_.locals[a].type), locals_[a]);
    b_.CreateStore(b_.CreateExtractValue(array, {2u, static_cast<unsigned>(dim.second)}), locals_[l]);
  }
  Value* start = b_.CreateLoad(i64(), ctx_slot(n));
  Value* step = b_.CreateLoad(i64(), ctx_slot(n + 1));
  Value* count = b_.CreateLoad(i64(), ctx_slot(n + 2));
  // prange(n) over such a local runs n iterations, its variable being the iteration's
  // number: the chunk's bounds (0 <= begin <= end <= count) are clamped to [0, n], so
  // that LLVM knows the variable stays in [0, n) too.
  auto is_const = [](const ExprRef& e, int64_t v) {
    return e->kind == ExprKind::Const && e->type == int64() && e->as<ConstExpr>().int_value == v;
  };
  if (is_const(s.start, 0) && is_const(s.step, 1) && s.stop->kind == ExprKind::Local &&
      dims.count(s.stop->as<LocalExpr>().index) && locals_[static_cast<size_t>(s.stop->as<LocalExpr>().index)]) {
    Value* stop = b_.CreateLoad(i64(), locals_[static_cast<size_t>(s.stop->as<LocalExpr>().index)]);
    end = b_.CreateSelect(b_.CreateICmpSLT(end, stop), end, stop);
    begin = b_.CreateSelect(b_.CreateICmpSLT(begin, c64(0)), c64(0), begin);
    start = c64(0);
    step = c64(1);
  }
  run_iterations(s, begin, end, c64(1), start, step, "chunk");
  // This chunk's partial results.
  size_t r = 0;
  for (const auto& [v, op] : info.reductions) {
    const Type* t = fn_.locals[static_cast<size_t>(v)].type;
    Value* buf = ctx_slot(n + 3 + r);
    b_.CreateStore(b_.CreateLoad(vt(t), locals_[static_cast<size_t>(v)]), b_.CreateGEP(vt(t), buf, chunk));
    ++r;
  }
  // The chunk with the last iteration leaves its variables behind, as a serial loop would.
  llvm::BasicBlock* last = block("chunk.last");
  llvm::BasicBlock* finish = block("chunk.finish");
  b_.CreateCondBr(b_.CreateAnd(b_.CreateICmpEQ(end, count), b_.CreateICmpSGT(end, begin)), last, finish);
  b_.SetInsertPoint(last);
  for (int v : info.assigned) {
    if (info.reductions.count(v) || !locals_[static_cast<size_t>(v)]) continue;
    const Type* t = fn_.locals[static_cast<size_t>(v)].type;
    Value* target = ctx_slot(static_cast<size_t>(v));
    Value* value = b_.CreateLoad(vt(t), locals_[static_cast<size_t>(v)]);
    if (t->is_array()) {
      incref(value);
      Value* old = b_.CreateLoad(vt(t), target);
      b_.CreateStore(value, target);
      decref(old);
    } else {
      b_.CreateStore(value, target);
    }
  }
  b_.CreateBr(finish);
  b_.SetInsertPoint(finish);
  end_function();
}

void FunctionLowering::print_value(Value* v, const Type* t) {
  switch (t->kind()) {
    case TypeKind::Bool: b_.CreateCall(m_.runtime("nk_print_bool"), {v}); return;
    case TypeKind::Int:
      if (t->is_signed()) b_.CreateCall(m_.runtime("nk_print_i64"), {b_.CreateSExt(v, i64())});
      else b_.CreateCall(m_.runtime("nk_print_u64"), {b_.CreateZExt(v, i64())});
      return;
    case TypeKind::Float:
      b_.CreateCall(m_.runtime(t->bits() == 32 ? "nk_print_f32" : "nk_print_f64"), {v});
      return;
    case TypeKind::String:
      b_.CreateCall(m_.runtime("nk_print_str"), {b_.CreateExtractValue(v, 0), b_.CreateExtractValue(v, 1)});
      return;
    case TypeKind::Array:
      b_.CreateCall(m_.runtime("nk_print_array"), {spill(v), c32(t->ndim()), c32(dtype_code(t->elem()))});
      return;
    case TypeKind::Tuple: {
      auto text = [&](const char* s) {
        Value* c = m_.string_constant(s);
        b_.CreateCall(m_.runtime("nk_print_str"), {b_.CreateExtractValue(c, 0), b_.CreateExtractValue(c, 1)});
      };
      text("(");
      for (size_t k = 0; k < t->elements().size(); ++k) {
        if (k) text(", ");
        print_value(b_.CreateExtractValue(v, static_cast<unsigned>(k)), t->elements()[k]);
      }
      text(t->elements().size() == 1 ? ",)" : ")");
      return;
    }
    case TypeKind::None: {
      Value* c = m_.string_constant("None");
      b_.CreateCall(m_.runtime("nk_print_str"), {b_.CreateExtractValue(c, 0), b_.CreateExtractValue(c, 1)});
      return;
    }
    default: NK_CHECK(false) << "print of " << t->str();
  }
}

void FunctionLowering::print(const PrintStmt& s) {
  Value* sep = scalar(*s.sep);
  Value* end = scalar(*s.end);
  std::vector<std::pair<Value*, const Type*>> values;
  for (const ExprRef& a : s.args) {
    Val v = expr(*a);
    if (terminated()) return;
    if (a->type->is_array()) hold(v);
    values.push_back({v.v, a->type});
  }
  for (size_t k = 0; k < values.size(); ++k) {
    if (k) b_.CreateCall(m_.runtime("nk_print_str"), {b_.CreateExtractValue(sep, 0), b_.CreateExtractValue(sep, 1)});
    print_value(values[k].first, values[k].second);
  }
  b_.CreateCall(m_.runtime("nk_print_str"), {b_.CreateExtractValue(end, 0), b_.CreateExtractValue(end, 1)});
}

// ---- expressions ----

Value* FunctionLowering::spill(Value* v) {
  llvm::AllocaInst* a = entry_alloca(v->getType(), "spill");
  b_.CreateStore(v, a);
  return a;
}

Value* FunctionLowering::cast(Value* v, const Type* from, const Type* to) {
  if (from == to) return v;
  if (from->is_array()) return v;  // layout relaxation: same descriptor
  if (from->is_tuple()) {
    Value* out = llvm::UndefValue::get(vt(to));
    for (size_t k = 0; k < from->elements().size(); ++k) {
      Value* e = cast(b_.CreateExtractValue(v, static_cast<unsigned>(k)), from->elements()[k], to->elements()[k]);
      out = b_.CreateInsertValue(out, e, static_cast<unsigned>(k));
    }
    return out;
  }
  if (to->is_bool()) return truth(v, from);
  llvm::Type* t = vt(to);
  if (from->is_bool()) return to->is_float() ? b_.CreateUIToFP(v, t) : b_.CreateZExt(v, t);
  if (from->is_int() && to->is_int()) {
    if (to->bits() < from->bits()) return b_.CreateTrunc(v, t);
    if (to->bits() == from->bits()) return v;
    return from->is_signed() ? b_.CreateSExt(v, t) : b_.CreateZExt(v, t);
  }
  if (from->is_int() && to->is_float()) return from->is_signed() ? b_.CreateSIToFP(v, t) : b_.CreateUIToFP(v, t);
  if (from->is_float() && to->is_int()) {
    // An out-of-range or NaN input gives an unspecified value, never undefined
    // behaviour: freeze turns LLVM's poison into some fixed value. (Saturating
    // conversions cost a compare and branch per element in hot loops.)
    Value* r = to->is_signed() ? b_.CreateFPToSI(v, t) : b_.CreateFPToUI(v, t);
    return b_.CreateFreeze(r);
  }
  if (from->is_float() && to->is_float()) return to->bits() > from->bits() ? b_.CreateFPExt(v, t) : b_.CreateFPTrunc(v, t);
  NK_CHECK(false) << "cast from " << from->str() << " to " << to->str();
  return v;
}

Value* FunctionLowering::truth(Value* v, const Type* t) {
  if (t->is_bool()) return v;
  if (t->is_float()) return b_.CreateFCmpUNE(v, llvm::ConstantFP::get(v->getType(), 0.0));
  return b_.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
}

Val FunctionLowering::expr(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Const: {
      const auto& c = e.as<ConstExpr>();
      if (e.type->is_float()) return {llvm::ConstantFP::get(vt(e.type), c.float_value)};
      return {llvm::ConstantInt::get(vt(e.type), static_cast<uint64_t>(c.int_value))};
    }
    case ExprKind::StrConst: return {m_.string_constant(e.as<StrConstExpr>().value)};
    case ExprKind::Local: {
      int index = e.as<LocalExpr>().index;
      auto it = let_slots_.find(index);
      llvm::AllocaInst* slot = it != let_slots_.end() ? it->second : locals_[static_cast<size_t>(index)];
      NK_CHECK(slot) << "local without storage: " << fn_.locals[static_cast<size_t>(index)].name;
      if (it == let_slots_.end() && !unchanged_values_.empty() && unchanged_values_[static_cast<size_t>(index)])
        return {unchanged_values_[static_cast<size_t>(index)]};
      return {b_.CreateLoad(vt(e.type), slot)};
    }
    case ExprKind::Cast: {
      const auto& c = e.as<CastExpr>();
      Val v = expr(*c.value);
      return {cast(v.v, c.value->type, e.type), v.owned};
    }
    case ExprKind::Unary: {
      const auto& u = e.as<UnaryExpr>();
      Value* v = scalar(*u.operand);
      switch (u.op) {
        case UnaryOp::Not: return {b_.CreateNot(v)};
        case UnaryOp::Pos: return {v};
        case UnaryOp::Invert: return {b_.CreateNot(v)};
        case UnaryOp::Neg: return {e.type->is_float() ? b_.CreateFNeg(v) : b_.CreateNeg(v)};
      }
      return {v};
    }
    case ExprKind::Binary: return {binary(e.as<BinaryExpr>())};
    case ExprKind::Compare: return {compare(e.as<CompareExpr>())};
    case ExprKind::Logical: return {logical(e.as<LogicalExpr>())};
    case ExprKind::Select: return select(e.as<SelectExpr>());
    case ExprKind::Intrinsic: return intrinsic(e.as<IntrinsicExpr>());
    case ExprKind::Call: return call(e.as<CallExpr>());
    case ExprKind::Load: {
      const auto& l = e.as<LoadExpr>();
      Val array = expr(*l.array);
      hold(array);
      Value* addr = element_address(array, l.array.get(), l.array->type, l.indices, e.range);
      return {load_element(addr, e.type, l.array.get())};
    }
    case ExprKind::View: return view(e.as<ViewExpr>());
    case ExprKind::ArrayDim: {
      const auto& d = e.as<ArrayDimExpr>();
      Val array = expr(*d.array);
      hold(array);
      if (d.dim >= 0) return {b_.CreateExtractValue(array.v, {2u, static_cast<unsigned>(d.dim)})};
      Value* size = c64(1);
      for (int k = 0; k < d.array->type->ndim(); ++k)
        size = b_.CreateMul(size, b_.CreateExtractValue(array.v, {2u, static_cast<unsigned>(k)}));
      return {size};
    }
    case ExprKind::MakeTuple: {
      const auto& t = e.as<MakeTupleExpr>();
      Value* out = llvm::UndefValue::get(vt(e.type));
      for (size_t k = 0; k < t.elements.size(); ++k)
        out = b_.CreateInsertValue(out, scalar(*t.elements[k]), static_cast<unsigned>(k));
      return {out};
    }
    case ExprKind::TupleGet: {
      const auto& t = e.as<TupleGetExpr>();
      return {b_.CreateExtractValue(scalar(*t.tuple), static_cast<unsigned>(t.index))};
    }
    case ExprKind::NewArray: return new_array(e.as<NewArrayExpr>());
    case ExprKind::Format: return {format(e.as<FormatExpr>())};
    case ExprKind::Let: {
      const auto& l = e.as<LetExpr>();
      Val v = expr(*l.value);
      if (l.value->type->is_array()) hold(v);
      llvm::AllocaInst* slot = entry_alloca(v.v->getType(), "let");
      b_.CreateStore(v.v, slot);
      let_slots_[l.local] = slot;
      Val body = expr(*l.body);
      let_slots_.erase(l.local);
      return body;
    }
  }
  NK_CHECK(false) << "unhandled expression";
  return {};
}

Value* FunctionLowering::binary(const BinaryExpr& e) {
  Value* a = scalar(*e.lhs);
  Value* b = scalar(*e.rhs);
  const Type* t = e.type;
  bool f = t->is_float();
  llvm::FastMathFlags fmf;
  if (fastmath()) fmf.setFast();
  IRBuilder<>::FastMathFlagGuard guard(b_);
  b_.setFastMathFlags(fmf);
  switch (e.op) {
    case BinaryOp::Add: return f ? b_.CreateFAdd(a, b) : b_.CreateAdd(a, b);
    case BinaryOp::Sub: return f ? b_.CreateFSub(a, b) : b_.CreateSub(a, b);
    case BinaryOp::Mul: return f ? b_.CreateFMul(a, b) : b_.CreateMul(a, b);
    case BinaryOp::TrueDiv: {
      if (!numpy_errors()) {
        llvm::BasicBlock* zero = block("div.zero");
        llvm::BasicBlock* ok = block("div.ok");
        b_.CreateCondBr(b_.CreateFCmpOEQ(b, llvm::ConstantFP::get(b->getType(), 0.0)), zero, ok);
        b_.SetInsertPoint(zero);
        // int / int by zero says "division by zero", as Python does.
        int kind = is_int_cast(e.lhs) && is_int_cast(e.rhs) ? kTrueDiv : kFloatTrueDiv;
        b_.CreateCall(m_.runtime("nk_raise_zero_division"), {c32(kind), line(e.range)});
        unwind();
        b_.SetInsertPoint(ok);
      }
      return b_.CreateFDiv(a, b);
    }
    case BinaryOp::FloorDiv:
    case BinaryOp::Mod:
      return f ? float_div_mod(e.op, a, b, t, e.range) : int_div_mod(e.op, a, b, t, e.range);
    case BinaryOp::Pow:
      if (f) return b_.CreateIntrinsic(llvm::Intrinsic::pow, {a->getType()}, {a, b});
      return int_pow(a, b, t, e.range);
    case BinaryOp::BitAnd: return b_.CreateAnd(a, b);
    case BinaryOp::BitOr: return b_.CreateOr(a, b);
    case BinaryOp::BitXor: return b_.CreateXor(a, b);
    case BinaryOp::Shl:
    case BinaryOp::Shr: {
      // Python shifts: a negative count is a ValueError; counts >= the width give 0
      // (or -1 for >> of a negative value) instead of LLVM's poison.
      unsigned bits = t->bits();
      Value* count = b;
      if (t->is_signed() && !numpy_errors()) {
        llvm::BasicBlock* bad = block("shift.negative");
        llvm::BasicBlock* ok = block("shift.ok");
        b_.CreateCondBr(b_.CreateICmpSLT(count, llvm::ConstantInt::get(count->getType(), 0)), bad, ok);
        b_.SetInsertPoint(bad);
        raise_constant("ValueError", "negative shift count", e.range);
        b_.SetInsertPoint(ok);
      }
      Value* width = llvm::ConstantInt::get(count->getType(), bits);
      Value* too_big = b_.CreateICmpUGE(count, width);
      Value* safe = b_.CreateSelect(too_big, llvm::ConstantInt::get(count->getType(), 0), count);
      if (e.op == BinaryOp::Shl) {
        Value* r = b_.CreateShl(a, safe);
        return b_.CreateSelect(too_big, llvm::ConstantInt::get(a->getType(), 0), r);
      }
      if (t->is_signed()) {
        Value* r = b_.CreateAShr(a, b_.CreateSelect(too_big, llvm::ConstantInt::get(count->getType(), bits - 1), count));
        return r;
      }
      Value* r = b_.CreateLShr(a, safe);
      return b_.CreateSelect(too_big, llvm::ConstantInt::get(a->getType(), 0), r);
    }
  }
  return a;
}

Value* FunctionLowering::int_div_mod(BinaryOp op, Value* a, Value* b, const Type* t, SourceRange r) {
  llvm::Type* ty = a->getType();
  Value* zero = llvm::ConstantInt::get(ty, 0);
  llvm::BasicBlock* is_zero = block("idiv.zero");
  llvm::BasicBlock* nonzero = block("idiv.nonzero");
  llvm::BasicBlock* done = block("idiv.done");
  llvm::BasicBlock* before = b_.GetInsertBlock();
  (void)before;
  b_.CreateCondBr(b_.CreateICmpEQ(b, zero), is_zero, nonzero);
  b_.SetInsertPoint(is_zero);
  llvm::BasicBlock* zero_end = nullptr;
  if (!numpy_errors()) {
    b_.CreateCall(m_.runtime("nk_raise_zero_division"), {c32(op == BinaryOp::Mod ? kIntMod : kIntFloorDiv), line(r)});
    unwind();
  } else {
    b_.CreateBr(done);  // numpy: x // 0 == 0 and x % 0 == 0
    zero_end = is_zero;
  }
  b_.SetInsertPoint(nonzero);
  Value* result;
  if (!t->is_signed()) {
    result = op == BinaryOp::FloorDiv ? b_.CreateUDiv(a, b) : b_.CreateURem(a, b);
  } else {
    // b == -1 would trap for INT_MIN; the answer is -a (wrapping) or 0.
    Value* minus_one = b_.CreateICmpEQ(b, llvm::ConstantInt::get(ty, static_cast<uint64_t>(-1), true));
    Value* safe_b = b_.CreateSelect(minus_one, llvm::ConstantInt::get(ty, 1), b);
    Value* q = b_.CreateSDiv(a, safe_b);
    Value* rem = b_.CreateSRem(a, safe_b);
    // Round toward -inf: adjust when the remainder is non-zero and the signs differ.
    Value* adjust = b_.CreateAnd(b_.CreateICmpNE(rem, zero), b_.CreateICmpSLT(b_.CreateXor(rem, b), zero));
    if (op == BinaryOp::FloorDiv) {
      Value* fq = b_.CreateSub(q, b_.CreateZExt(adjust, ty));
      result = b_.CreateSelect(minus_one, b_.CreateNeg(a), fq);
    } else {
      Value* fr = b_.CreateSelect(adjust, b_.CreateAdd(rem, b), rem);
      result = b_.CreateSelect(minus_one, zero, fr);
    }
  }
  llvm::BasicBlock* nonzero_end = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* phi = b_.CreatePHI(ty, 2);
  phi->addIncoming(result, nonzero_end);
  if (zero_end) phi->addIncoming(zero, zero_end);
  return phi;
}

Value* FunctionLowering::float_div_mod(BinaryOp op, Value* a, Value* b, const Type* t, SourceRange r) {
  llvm::Type* ty = a->getType();
  Value* fzero = llvm::ConstantFP::get(ty, 0.0);
  if (!numpy_errors()) {
    llvm::BasicBlock* bad = block("fdiv.zero");
    llvm::BasicBlock* ok = block("fdiv.ok");
    b_.CreateCondBr(b_.CreateFCmpOEQ(b, fzero), bad, ok);
    b_.SetInsertPoint(bad);
    b_.CreateCall(m_.runtime("nk_raise_zero_division"),
                  {c32(op == BinaryOp::FloorDiv ? kFloatFloorDiv : kFloatMod), line(r)});
    unwind();
    b_.SetInsertPoint(ok);
  }
  // CPython's float_divmod: mod = fmod(a, b); fix its sign to b's; div = (a - mod) / b.
  Value* mod = b_.CreateFRem(a, b);
  Value* mod_nonzero = b_.CreateFCmpUNE(mod, fzero);
  Value* signs_differ = b_.CreateXor(b_.CreateFCmpOLT(b, fzero), b_.CreateFCmpOLT(mod, fzero));
  Value* fix = b_.CreateAnd(mod_nonzero, signs_differ);
  Value* fixed_mod = b_.CreateSelect(fix, b_.CreateFAdd(mod, b), mod);
  if (op == BinaryOp::Mod) {
    // A zero result takes the sign of b.
    Value* signed_zero = b_.CreateIntrinsic(llvm::Intrinsic::copysign, {ty}, {fzero, b});
    return b_.CreateSelect(mod_nonzero, fixed_mod, signed_zero);
  }
  Value* div = b_.CreateFDiv(b_.CreateFSub(a, mod), b);
  div = b_.CreateSelect(fix, b_.CreateFSub(div, llvm::ConstantFP::get(ty, 1.0)), div);
  Value* floordiv = b_.CreateIntrinsic(llvm::Intrinsic::floor, {ty}, {div});
  Value* up = b_.CreateFCmpOGT(b_.CreateFSub(div, floordiv), llvm::ConstantFP::get(ty, 0.5));
  floordiv = b_.CreateSelect(up, b_.CreateFAdd(floordiv, llvm::ConstantFP::get(ty, 1.0)), floordiv);
  // div == 0: the result is a zero with the sign of a / b.
  Value* div_zero = b_.CreateFCmpOEQ(div, fzero);
  Value* zero_result = b_.CreateIntrinsic(llvm::Intrinsic::copysign, {ty}, {fzero, b_.CreateFDiv(a, b)});
  (void)t;
  return b_.CreateSelect(div_zero, zero_result, floordiv);
}

Value* FunctionLowering::int_pow(Value* a, Value* b, const Type* t, SourceRange r) {
  llvm::Type* ty = a->getType();
  if (t->is_signed()) {
    llvm::BasicBlock* bad = block("ipow.negative");
    llvm::BasicBlock* ok = block("ipow.ok");
    b_.CreateCondBr(b_.CreateICmpSLT(b, llvm::ConstantInt::get(ty, 0)), bad, ok);
    b_.SetInsertPoint(bad);
    raise_constant("ValueError", "Integers to negative integer powers are not allowed.", r);
    b_.SetInsertPoint(ok);
  }
  Value* a64 = t->is_signed() ? b_.CreateSExt(a, i64()) : b_.CreateZExt(a, i64());
  Value* b64 = t->is_signed() ? b_.CreateSExt(b, i64()) : b_.CreateZExt(b, i64());
  if (ty == i64()) {
    a64 = a;
    b64 = b;
  }
  Value* p = b_.CreateCall(m_.runtime("nk_ipow"), {a64, b64});
  return ty == i64() ? p : b_.CreateTrunc(p, ty);
}

Value* FunctionLowering::compare(const CompareExpr& e) {
  Value* a = scalar(*e.lhs);
  Value* b = scalar(*e.rhs);
  const Type* t = e.lhs->type;
  if (t->is_float()) {
    switch (e.op) {
      case CompareOp::Eq: return b_.CreateFCmpOEQ(a, b);
      case CompareOp::Ne: return b_.CreateFCmpUNE(a, b);
      case CompareOp::Lt: return b_.CreateFCmpOLT(a, b);
      case CompareOp::Le: return b_.CreateFCmpOLE(a, b);
      case CompareOp::Gt: return b_.CreateFCmpOGT(a, b);
      case CompareOp::Ge: return b_.CreateFCmpOGE(a, b);
    }
  }
  bool s = t->is_int() && t->is_signed();
  switch (e.op) {
    case CompareOp::Eq: return b_.CreateICmpEQ(a, b);
    case CompareOp::Ne: return b_.CreateICmpNE(a, b);
    case CompareOp::Lt: return s ? b_.CreateICmpSLT(a, b) : b_.CreateICmpULT(a, b);
    case CompareOp::Le: return s ? b_.CreateICmpSLE(a, b) : b_.CreateICmpULE(a, b);
    case CompareOp::Gt: return s ? b_.CreateICmpSGT(a, b) : b_.CreateICmpUGT(a, b);
    case CompareOp::Ge: return s ? b_.CreateICmpSGE(a, b) : b_.CreateICmpUGE(a, b);
  }
  return a;
}

Value* FunctionLowering::logical(const LogicalExpr& e) {
  Value* a = scalar(*e.lhs);
  llvm::BasicBlock* a_end = b_.GetInsertBlock();
  llvm::BasicBlock* rhs = block("logic.rhs");
  llvm::BasicBlock* done = block("logic.done");
  Value* ta = truth(a, e.type);
  if (e.op == BoolOpKind::And) b_.CreateCondBr(ta, rhs, done);
  else b_.CreateCondBr(ta, done, rhs);
  b_.SetInsertPoint(rhs);
  Value* b = scalar(*e.rhs);
  llvm::BasicBlock* b_end = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* phi = b_.CreatePHI(a->getType(), 2);
  phi->addIncoming(a, a_end);
  phi->addIncoming(b, b_end);
  return phi;
}

Val FunctionLowering::select(const SelectExpr& e) {
  Value* c = scalar(*e.cond);
  llvm::BasicBlock* then_bb = block("sel.then");
  llvm::BasicBlock* else_bb = block("sel.else");
  llvm::BasicBlock* done = block("sel.done");
  b_.CreateCondBr(c, then_bb, else_bb);
  bool array = e.type->is_array();
  b_.SetInsertPoint(then_bb);
  Val a = expr(*e.then_value);
  if (array && !a.owned) incref(a.v);
  llvm::BasicBlock* a_end = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(else_bb);
  Val b = expr(*e.else_value);
  if (array && !b.owned) incref(b.v);
  llvm::BasicBlock* b_end = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* phi = b_.CreatePHI(a.v->getType(), 2);
  phi->addIncoming(a.v, a_end);
  phi->addIncoming(b.v, b_end);
  return {phi, array};
}

Value* FunctionLowering::math_call(Intrinsic id, const std::vector<Value*>& args, const Type* t) {
  llvm::Type* ty = vt(t);
  bool f32 = t->bits() == 32;
  auto intrinsic = [&](llvm::Intrinsic::ID iid) { return b_.CreateIntrinsic(iid, {ty}, args); };
  auto libm = [&](const char* name) -> Value* {
    std::string n = std::string(name) + (f32 ? "f" : "");
    std::vector<llvm::Type*> params(args.size(), ty);
    llvm::FunctionCallee fc = m_.module().getOrInsertFunction(n, llvm::FunctionType::get(ty, params, false));
    return b_.CreateCall(fc, args);
  };
  switch (id) {
    case Intrinsic::Sqrt: return intrinsic(llvm::Intrinsic::sqrt);
    case Intrinsic::Exp: return intrinsic(llvm::Intrinsic::exp);
    case Intrinsic::Expm1: return libm("expm1");
    case Intrinsic::Log: return intrinsic(llvm::Intrinsic::log);
    case Intrinsic::Log1p: return libm("log1p");
    case Intrinsic::Log2: return intrinsic(llvm::Intrinsic::log2);
    case Intrinsic::Log10: return intrinsic(llvm::Intrinsic::log10);
    case Intrinsic::Sin: return intrinsic(llvm::Intrinsic::sin);
    case Intrinsic::Cos: return intrinsic(llvm::Intrinsic::cos);
    case Intrinsic::Tan: return libm("tan");
    case Intrinsic::Asin: return libm("asin");
    case Intrinsic::Acos: return libm("acos");
    case Intrinsic::Atan: return libm("atan");
    case Intrinsic::Sinh: return libm("sinh");
    case Intrinsic::Cosh: return libm("cosh");
    case Intrinsic::Tanh: return libm("tanh");
    case Intrinsic::Asinh: return libm("asinh");
    case Intrinsic::Acosh: return libm("acosh");
    case Intrinsic::Atanh: return libm("atanh");
    case Intrinsic::Floor: return intrinsic(llvm::Intrinsic::floor);
    case Intrinsic::Ceil: return intrinsic(llvm::Intrinsic::ceil);
    case Intrinsic::Trunc: return intrinsic(llvm::Intrinsic::trunc);
    case Intrinsic::Fabs: return intrinsic(llvm::Intrinsic::fabs);
    case Intrinsic::Erf: return libm("erf");
    case Intrinsic::Erfc: return libm("erfc");
    case Intrinsic::Gamma: return libm("tgamma");
    case Intrinsic::Lgamma: return libm("lgamma");
    case Intrinsic::Degrees: return b_.CreateFMul(args[0], llvm::ConstantFP::get(ty, 180.0 / 3.141592653589793));
    case Intrinsic::Radians: return b_.CreateFMul(args[0], llvm::ConstantFP::get(ty, 3.141592653589793 / 180.0));
    case Intrinsic::Atan2: return libm("atan2");
    case Intrinsic::Pow: return intrinsic(llvm::Intrinsic::pow);
    case Intrinsic::Hypot: return libm("hypot");
    case Intrinsic::Copysign: return intrinsic(llvm::Intrinsic::copysign);
    case Intrinsic::Fmod: return b_.CreateFRem(args[0], args[1]);
    default: break;
  }
  NK_CHECK(false) << "not a math intrinsic: " << intrinsic_name(id);
  return nullptr;
}

Val FunctionLowering::intrinsic(const IntrinsicExpr& e) {
  const Type* t = e.type;
  auto str_args = [&](Value* s) { return std::pair<Value*, Value*>{b_.CreateExtractValue(s, 0), b_.CreateExtractValue(s, 1)}; };
  switch (e.id) {
    case Intrinsic::IsNan: {
      Value* x = scalar(*e.args[0]);
      return {b_.CreateFCmpUNO(x, x)};
    }
    case Intrinsic::IsInf: {
      Value* x = scalar(*e.args[0]);
      Value* ax = b_.CreateIntrinsic(llvm::Intrinsic::fabs, {x->getType()}, {x});
      return {b_.CreateFCmpOEQ(ax, llvm::ConstantFP::getInfinity(x->getType()))};
    }
    case Intrinsic::IsFinite: {
      Value* x = scalar(*e.args[0]);
      Value* ax = b_.CreateIntrinsic(llvm::Intrinsic::fabs, {x->getType()}, {x});
      return {b_.CreateFCmpOLT(ax, llvm::ConstantFP::getInfinity(x->getType()))};
    }
    case Intrinsic::Abs: {
      Value* x = scalar(*e.args[0]);
      if (t->is_float()) return {b_.CreateIntrinsic(llvm::Intrinsic::fabs, {x->getType()}, {x})};
      if (!t->is_signed()) return {x};
      return {b_.CreateSelect(b_.CreateICmpSLT(x, llvm::ConstantInt::get(x->getType(), 0)), b_.CreateNeg(x), x)};
    }
    case Intrinsic::Min:
    case Intrinsic::Max: {
      // Python: the first of the extreme values wins (min(a, b) is b only if b < a).
      Value* acc = scalar(*e.args[0]);
      for (size_t k = 1; k < e.args.size(); ++k) {
        Value* x = scalar(*e.args[k]);
        Value* better;
        bool mn = e.id == Intrinsic::Min;
        if (t->is_float()) better = mn ? b_.CreateFCmpOLT(x, acc) : b_.CreateFCmpOGT(x, acc);
        else if (t->is_int() && t->is_signed()) better = mn ? b_.CreateICmpSLT(x, acc) : b_.CreateICmpSGT(x, acc);
        else better = mn ? b_.CreateICmpULT(x, acc) : b_.CreateICmpUGT(x, acc);
        acc = b_.CreateSelect(better, x, acc);
      }
      return {acc};
    }
    case Intrinsic::Minimum:
    case Intrinsic::Maximum: {
      // NumPy's loop: keep a when it is strictly better or NaN, else take b (so NaN
      // propagates from either side).
      Value* a = scalar(*e.args[0]);
      Value* b = scalar(*e.args[1]);
      bool mn = e.id == Intrinsic::Minimum;
      Value* better;
      if (t->is_float()) better = b_.CreateOr(mn ? b_.CreateFCmpOLT(a, b) : b_.CreateFCmpOGT(a, b), b_.CreateFCmpUNO(a, a));
      else if (t->is_int() && t->is_signed()) better = mn ? b_.CreateICmpSLT(a, b) : b_.CreateICmpSGT(a, b);
      else better = mn ? b_.CreateICmpULT(a, b) : b_.CreateICmpUGT(a, b);
      return {b_.CreateSelect(better, a, b)};
    }
    case Intrinsic::Round: {
      Value* x = scalar(*e.args[0]);
      Value* r = b_.CreateIntrinsic(llvm::Intrinsic::roundeven, {x->getType()}, {x});
      return {b_.CreateFreeze(b_.CreateFPToSI(r, i64()))};
    }
    case Intrinsic::RoundDigits: {
      Value* x = scalar(*e.args[0]);
      Value* n = scalar(*e.args[1]);
      Value* x64 = t->bits() == 32 ? b_.CreateFPExt(x, b_.getDoubleTy()) : x;
      Value* r = b_.CreateCall(m_.runtime("nk_round_digits"), {x64, n});
      return {t->bits() == 32 ? b_.CreateFPTrunc(r, b_.getFloatTy()) : r};
    }
    case Intrinsic::ArrayCopy: {
      const Type* src_t = e.args[0]->type;
      Val src = expr(*e.args[0]);
      hold(src);
      Value* dst = entry_alloca(vt(t), "copy");
      Value* status = b_.CreateCall(m_.runtime("nk_array_copy"),
                                    {dst, spill(src.v), c32(src_t->ndim()),
                                     c64(static_cast<int64_t>(m_.module().getDataLayout().getTypeAllocSize(m_.memory_type(src_t->elem()))))});
      check_status(status);
      return {b_.CreateLoad(vt(t), dst), true};
    }
    case Intrinsic::ArrayFill: {
      const Type* at = e.args[0]->type;
      Val array = expr(*e.args[0]);
      hold(array);
      Value* v = scalar(*e.args[1]);
      llvm::Type* mt = m_.memory_type(at->elem());
      Value* slot = entry_alloca(mt, "fill");
      b_.CreateStore(at->elem()->is_bool() ? b_.CreateZExt(v, mt) : v, slot);
      b_.CreateCall(m_.runtime("nk_array_fill"),
                    {spill(array.v), c32(at->ndim()),
                     c64(static_cast<int64_t>(m_.module().getDataLayout().getTypeAllocSize(mt))), slot});
      return {nullptr};
    }
    case Intrinsic::Timer: return {b_.CreateCall(m_.runtime("nk_perf_counter"), {})};
    case Intrinsic::WallTime: return {b_.CreateCall(m_.runtime("nk_wall_time"), {})};
    case Intrinsic::ArgvLen: return {b_.CreateCall(m_.runtime("nk_argc"), {})};
    case Intrinsic::ThreadIdx:
    case Intrinsic::BlockIdx:
    case Intrinsic::BlockDim:
    case Intrinsic::GridDim:
      return {special_register(e.id, static_cast<int>(e.args[0]->as<ConstExpr>().int_value))};
    case Intrinsic::SyncThreads:
      if (gpu()) b_.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier0, {}, {});
      return {nullptr};
    case Intrinsic::SharedArray:
    case Intrinsic::LocalArray: return thread_array(e);
    case Intrinsic::AtomicAdd:
    case Intrinsic::AtomicSub:
    case Intrinsic::AtomicMax:
    case Intrinsic::AtomicMin:
    case Intrinsic::AtomicExch:
    case Intrinsic::AtomicCas: return {atomic(e)};
    case Intrinsic::ToDevice:
    case Intrinsic::DeviceArray:
    case Intrinsic::CopyToHost:
    case Intrinsic::Synchronize:
    case Intrinsic::CudaAvailable: return cuda_host_intrinsic(e);
    case Intrinsic::ArgvItem: {
      Value* i = scalar(*e.args[0]);
      Value* out = entry_alloca(m_.str_type(), "arg");
      check_status(b_.CreateCall(m_.runtime("nk_argv"), {i, out, line(e.range)}));
      return {b_.CreateLoad(m_.str_type(), out)};
    }
    case Intrinsic::ParseInt:
    case Intrinsic::ParseFloat: {
      auto [p, n] = str_args(scalar(*e.args[0]));
      Value* out = entry_alloca(vt(t), "parsed");
      const char* fname = e.id == Intrinsic::ParseInt ? "nk_parse_int" : "nk_parse_float";
      check_status(b_.CreateCall(m_.runtime(fname), {p, n, out, line(e.range)}));
      return {b_.CreateLoad(vt(t), out)};
    }
    case Intrinsic::NpLoad: {
      auto [p, n] = str_args(scalar(*e.args[0]));
      Value* out = entry_alloca(vt(t), "loaded");
      check_status(b_.CreateCall(m_.runtime("nk_np_load"),
                                 {p, n, out, c32(t->ndim()), c32(dtype_code(t->elem())), line(e.range)}));
      return {b_.CreateLoad(vt(t), out), true};
    }
    case Intrinsic::NpSave: {
      auto [p, n] = str_args(scalar(*e.args[0]));
      const Type* at = e.args[1]->type;
      Val a = expr(*e.args[1]);
      hold(a);
      check_status(b_.CreateCall(m_.runtime("nk_np_save"),
                                 {p, n, spill(a.v), c32(at->ndim()), c32(dtype_code(at->elem())), line(e.range)}));
      return {nullptr};
    }
    default: {
      std::vector<Value*> args;
      for (const ExprRef& a : e.args) args.push_back(scalar(*a));
      return {math_call(e.id, args, t)};
    }
  }
}

Val FunctionLowering::call(const CallExpr& e) {
  const Function* callee = e.callee;
  if (!e.launch.empty()) return launch(e);
  std::vector<Value*> args;
  Value* ret = nullptr;
  if (callee->return_type != none_type()) {
    ret = entry_alloca(vt(callee->return_type), "ret");
    if (callee->return_type->is_array()) b_.CreateStore(llvm::Constant::getNullValue(vt(callee->return_type)), ret);
    args.push_back(ret);
  }
  for (size_t k = 0; k < e.args.size(); ++k) {
    const Type* t = e.args[k]->type;
    Val v = expr(*e.args[k]);
    if (t->is_array()) hold(v);
    args.push_back(t->is_array() || t->is_tuple() ? spill(v.v) : v.v);
  }
  llvm::CallInst* status = b_.CreateCall(m_.function_for(callee), args);
  // Every specialisation is compiled as its own (external) function anyway; inlining it
  // into the host program as well would optimise and compile its body twice.
  if (fn_.target == Target::Host) status->addFnAttr(llvm::Attribute::NoInline);
  llvm::BasicBlock* ok = block("call.ok");
  llvm::BasicBlock* fail = block("call.fail");
  llvm::MDBuilder md(m_.ctx());
  b_.CreateCondBr(b_.CreateICmpEQ(status, c32(0)), ok, fail, md.createBranchWeights(1 << 20, 1));
  b_.SetInsertPoint(fail);
  b_.CreateCall(m_.runtime("nk_traceback"),
                {m_.cstring(fn_.target == Target::Host ? "<module>" : fn_.name), line(e.range)});
  unwind();
  b_.SetInsertPoint(ok);
  if (!ret) return {nullptr};
  return {b_.CreateLoad(vt(callee->return_type), ret), callee->return_type->is_array()};
}

Value* FunctionLowering::wrap_and_check(Value* index, Value* size, int axis, SourceRange r, bool nonnegative) {
  // Negative indices count from the end (Python); then 0 <= index < size.
  Value* wrapped =
      nonnegative ? index : b_.CreateSelect(b_.CreateICmpSLT(index, c64(0)), b_.CreateAdd(index, size), index);
  if (!boundscheck()) return wrapped;
  llvm::BasicBlock* bad = block("bounds.fail");
  llvm::BasicBlock* ok = block("bounds.ok");
  llvm::MDBuilder md(m_.ctx());
  b_.CreateCondBr(b_.CreateICmpULT(wrapped, size), ok, bad, md.createBranchWeights(1 << 20, 1));
  b_.SetInsertPoint(bad);
  b_.CreateCall(m_.runtime("nk_raise_index"), {index, c32(axis), size, line(r)});
  unwind();
  b_.SetInsertPoint(ok);
  return wrapped;
}

Value* FunctionLowering::element_address(const Val& array, const Expr* array_expr, const Type* at,
                                         const std::vector<ExprRef>& indices, SourceRange r) {
  std::vector<Value*> idx;
  for (const ExprRef& i : indices) idx.push_back(scalar(*i));
  Value* data = b_.CreateExtractValue(array.v, 1);
  Value* offset = c64(0);
  uint64_t item = m_.module().getDataLayout().getTypeAllocSize(m_.memory_type(at->elem()));
  int n = at->ndim();
  for (int k = 0; k < n; ++k) {
    Value* size = b_.CreateExtractValue(array.v, {2u, static_cast<unsigned>(k)});
    // In the unchecked version of a loop, a proven index needs no check, and no wrap
    // either unless it may be negative.
    Value* i = idx[static_cast<size_t>(k)];
    const Expr& index = *indices[static_cast<size_t>(k)];
    switch (index_proven(*array_expr, k, index)) {
      case Proof::InBounds: break;
      case Proof::WrapOnly:
        if (!nonnegative(index)) i = b_.CreateSelect(b_.CreateICmpSLT(i, c64(0)), b_.CreateAdd(i, size), i);
        break;
      case Proof::None: i = wrap_and_check(i, size, k, r, nonnegative(index)); break;
    }
    // The innermost stride of a C-contiguous array is the item size: a constant lets
    // LLVM see unit-stride accesses and vectorise.
    Value* stride = (k == n - 1 && at->layout() == Layout::C) ? c64(static_cast<int64_t>(item))
                                                              : b_.CreateExtractValue(array.v, {3u, static_cast<unsigned>(k)});
    offset = b_.CreateAdd(offset, b_.CreateMul(i, stride));
  }
  return b_.CreateGEP(i8(), data, offset);
}

Value* FunctionLowering::load_element(Value* addr, const Type* elem, const Expr* array) {
  llvm::LoadInst* v = b_.CreateLoad(m_.memory_type(elem), addr);
  tag_access(v, array);
  return elem->is_bool() ? b_.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0)) : static_cast<Value*>(v);
}

void FunctionLowering::store_element(Value* addr, Value* v, const Type* elem, const Expr* array) {
  if (elem->is_bool()) v = b_.CreateZExt(v, i8());
  tag_access(b_.CreateStore(v, addr), array);
}

// Each private array (ir/private_arrays.h) is one alias scope: its elements' accesses
// are in it, and every other element access of the function is outside all of them.
// Inside the unchecked copy of a versioned loop, so is each scoped parameter
// (begin_param_scopes).
void FunctionLowering::tag_access(llvm::Instruction* access, const Expr* array) {
  if (!array) return;
  const std::map<int, AliasScopes>* scopes = &private_scopes_;
  auto own = private_scopes_.end();
  if (array->kind == ExprKind::Local) {
    int l = array->as<LocalExpr>().index;
    own = private_scopes_.find(l);
    if (own == private_scopes_.end() && scope_params_) {
      own = param_scopes_.find(l);
      scopes = &param_scopes_;
    }
  }
  if (own == scopes->end()) {
    if (all_private_scopes_) access->setMetadata(llvm::LLVMContext::MD_noalias, all_private_scopes_);
    return;
  }
  access->setMetadata(llvm::LLVMContext::MD_alias_scope, own->second.scope);
  if (own->second.noalias) access->setMetadata(llvm::LLVMContext::MD_noalias, own->second.noalias);
}

// ---- parameter scopes ----
//
// Array parameters may overlap (f(a, a), or two views of one buffer), so LLVM has to
// assume that any two do: run-time overlap checks before vector loops, and an element
// a loop accumulates into (tmp[i] += A[i, j] * x[j]) loaded again after every store.
// On entry nk computes whether the memory of the unchanged array parameters overlaps,
// for each pair of which one is stored to; the unchecked copy of a versioned loop, which
// already runs only when its indices stay in bounds, then runs only when none does (so
// arguments that overlap run the checked copy), and inside it each such parameter's
// element accesses are in an alias scope of their own, outside the others' (and the
// private arrays'). All such accesses run only when the parameters are disjoint, which
// holds for the whole call.
void FunctionLowering::begin_param_scopes(const std::vector<bool>& unchanged) {
  if (gpu()) return;
  std::set<int> accessed, stored;
  for_each_element_access(*fn_.body, [&](const Expr& array, const std::vector<ExprRef>&, bool store) {
    if (array.kind != ExprKind::Local) return;
    int l = array.as<LocalExpr>().index;
    if (static_cast<size_t>(l) >= fn_.params.size() || !unchanged[static_cast<size_t>(l)] || private_scopes_.count(l))
      return;
    accessed.insert(l);
    if (store) stored.insert(l);
  });
  if (accessed.size() < 2 || accessed.size() > 64 || stored.empty()) return;  // (64: nk_arrays_overlap's limit)
  llvm::MDBuilder md(m_.ctx());
  llvm::MDNode* domain = md.createAnonymousAliasScopeDomain(fn_.name + ".params");
  std::map<int, llvm::MDNode*> scope;
  for (int p : accessed) scope[p] = md.createAnonymousAliasScope(domain, fn_.locals[static_cast<size_t>(p)].name);
  for (int p : accessed) {
    std::vector<llvm::Metadata*> others;
    for (int q : accessed)
      if (q != p && (stored.count(p) || stored.count(q))) others.push_back(scope[q]);
    if (all_private_scopes_)
      for (const llvm::MDOperand& o : all_private_scopes_->operands()) others.push_back(o.get());
    param_scopes_[p] = {llvm::MDNode::get(m_.ctx(), {scope[p]}), llvm::MDNode::get(m_.ctx(), others)};
  }
  // One call on entry (runtime/arrays.cpp), cheaper to compile than the comparisons
  // inline; LLVM drops it when no loop asks.
  auto* entry_type = llvm::StructType::get(m_.ctx(), {ptr(), i64()});
  llvm::AllocaInst* table = entry_alloca(llvm::ArrayType::get(entry_type, accessed.size()), "overlap.args");
  unsigned k = 0;
  for (int p : accessed) {
    const Type* t = fn_.params[static_cast<size_t>(p)];
    uint64_t item = m_.module().getDataLayout().getTypeAllocSize(m_.memory_type(t->elem()));
    int64_t info = static_cast<int64_t>(item << 16) | (stored.count(p) ? 1 << 8 : 0) | t->ndim();
    b_.CreateStore(unchanged_params_[static_cast<size_t>(p)], b_.CreateConstGEP2_32(table->getAllocatedType(), table, 0, k));
    b_.CreateStore(c64(info), b_.CreateStructGEP(entry_type, b_.CreateConstGEP2_32(table->getAllocatedType(), table, 0, k), 1));
    ++k;
  }
  llvm::CallInst* overlap = b_.CreateCall(m_.runtime("nk_arrays_overlap"), {table, c32(static_cast<int32_t>(k))});
  overlap->setOnlyReadsMemory();
  overlap->setDoesNotThrow();
  overlap->addFnAttr(llvm::Attribute::WillReturn);
  params_disjoint_ = b_.CreateICmpEQ(overlap, c32(0));
  // The scopes hold for this call only: should LLVM inline the function into a loop and
  // unroll or peel that loop, the copies of these declarations give each copy scopes of
  // its own (two calls' parameters may overlap although each call's do not).
  for (const auto& [p, scopes] : param_scopes_) b_.CreateNoAliasScopeDeclaration(scopes.scope);
}

// Whether the unchecked copy of loop `s` gains from the parameter scopes: it accesses
// two scoped parameters and stores to one at an index the body does not change (an
// element LLVM then keeps in a register), or at a[..., i + c, ...] with nothing in the
// body that keeps LLVM from vectorising it (a call, or math it has no vector code for:
// blackscholes' log, exp and erf loop gained nothing and compiled 3 % slower). Others
// (one array, or stores at computed indices, as a histogram's) do without, and without
// the overlap check in their version condition LLVM may still prove that condition true
// and drop their checked copy.
bool FunctionLowering::scoped_loop(const ForRangeStmt& s) const {
  std::set<int> assigned = defined_locals(*s.body);
  assigned.insert(s.local);
  std::function<bool(const Expr&)> unchanged = [&](const Expr& e) {
    if (e.kind == ExprKind::Local) return !assigned.count(e.as<LocalExpr>().index);
    bool ok = e.kind == ExprKind::Const || e.kind == ExprKind::Binary || e.kind == ExprKind::Unary ||
              e.kind == ExprKind::Cast || e.kind == ExprKind::ArrayDim;
    for_each_operand(e, [&](const Expr& c) { ok = ok && unchanged(c); });
    return ok;
  };
  std::set<int> accessed;
  bool affine_store = false, invariant_store = false, opaque_call = false;
  walk_exprs(*s.body, [&](const Expr& e) {
    if (e.kind == ExprKind::Call) opaque_call = true;
    if (e.kind == ExprKind::Intrinsic) {
      switch (e.as<IntrinsicExpr>().id) {  // what LLVM vectorises with no vector math library
        case Intrinsic::Sqrt: case Intrinsic::Floor: case Intrinsic::Ceil: case Intrinsic::Trunc:
        case Intrinsic::Fabs: case Intrinsic::Copysign: case Intrinsic::Abs: case Intrinsic::Min:
        case Intrinsic::Max: case Intrinsic::Minimum: case Intrinsic::Maximum: case Intrinsic::IsNan:
        case Intrinsic::IsInf: case Intrinsic::IsFinite: case Intrinsic::Degrees: case Intrinsic::Radians:
          break;
        default: opaque_call = true;
      }
    }
  });
  for_each_element_access(*s.body, [&](const Expr& array, const std::vector<ExprRef>& indices, bool store) {
    if (array.kind != ExprKind::Local || !param_scopes_.count(array.as<LocalExpr>().index)) return;
    accessed.insert(array.as<LocalExpr>().index);
    if (!store) return;
    bool affine = true, invariant = true;
    int64_t offset;
    for (const ExprRef& i : indices) {
      bool same = unchanged(*i);
      affine = affine && (same || loop_offset(*i, s.local, offset));
      invariant = invariant && same;
    }
    affine_store = affine_store || affine;
    invariant_store = invariant_store || invariant;
  });
  return accessed.size() >= 2 && (invariant_store || (affine_store && !opaque_call));
}

Val FunctionLowering::view(const ViewExpr& e) {
  const Type* at = e.array->type;
  Val base = expr(*e.array);
  hold(base);
  Value* data = b_.CreateExtractValue(base.v, 1);
  Value* offset = c64(0);
  std::vector<Value*> shape, strides;
  int k = 0;
  for (const ViewIndex& d : e.dims) {
    Value* size = b_.CreateExtractValue(base.v, {2u, static_cast<unsigned>(k)});
    Value* stride = b_.CreateExtractValue(base.v, {3u, static_cast<unsigned>(k)});
    if (!d.is_slice) {
      Value* i = wrap_and_check(scalar(*d.index), size, k, e.range, nonnegative(*d.index));
      offset = b_.CreateAdd(offset, b_.CreateMul(i, stride));
    } else {
      auto part = [&](const ExprRef& x) -> std::pair<Value*, Value*> {
        if (!x) return {c32(0), c64(0)};
        return {c32(1), scalar(*x)};
      };
      auto [has_lo, lo] = part(d.lo);
      auto [has_hi, hi] = part(d.hi);
      auto [has_step, step] = part(d.step);
      llvm::Type* out_t = llvm::ArrayType::get(i64(), 3);
      Value* out = entry_alloca(out_t, "slice");
      check_status(b_.CreateCall(m_.runtime("nk_slice"), {size, has_lo, lo, has_hi, hi, has_step, step, out}));
      Value* sl = b_.CreateLoad(out_t, out);
      Value* start = b_.CreateExtractValue(sl, 0);
      Value* st = b_.CreateExtractValue(sl, 1);
      Value* count = b_.CreateExtractValue(sl, 2);
      offset = b_.CreateAdd(offset, b_.CreateMul(start, stride));
      shape.push_back(count);
      strides.push_back(b_.CreateMul(stride, st));
    }
    ++k;
  }
  for (; k < at->ndim(); ++k) {
    shape.push_back(b_.CreateExtractValue(base.v, {2u, static_cast<unsigned>(k)}));
    strides.push_back(b_.CreateExtractValue(base.v, {3u, static_cast<unsigned>(k)}));
  }
  Value* desc = llvm::UndefValue::get(vt(e.type));
  desc = b_.CreateInsertValue(desc, b_.CreateExtractValue(base.v, 0), 0);
  desc = b_.CreateInsertValue(desc, b_.CreateGEP(i8(), data, offset), 1);
  for (size_t j = 0; j < shape.size(); ++j) {
    desc = b_.CreateInsertValue(desc, shape[j], {2u, static_cast<unsigned>(j)});
    desc = b_.CreateInsertValue(desc, strides[j], {3u, static_cast<unsigned>(j)});
  }
  incref(desc);
  return {desc, true};
}

void FunctionLowering::fill_contiguous(Value* desc_ptr, const Type* at, const std::function<Value*(Value*)>& element) {
  Value* desc = b_.CreateLoad(vt(at), desc_ptr);
  Value* size = c64(1);
  for (int k = 0; k < at->ndim(); ++k) size = b_.CreateMul(size, b_.CreateExtractValue(desc, {2u, static_cast<unsigned>(k)}));
  Value* data = b_.CreateExtractValue(desc, 1);
  llvm::Type* mt = m_.memory_type(at->elem());
  llvm::BasicBlock* pre = b_.GetInsertBlock();
  llvm::BasicBlock* header = block("fill.cond");
  llvm::BasicBlock* body = block("fill.body");
  llvm::BasicBlock* end = block("fill.end");
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  llvm::PHINode* i = b_.CreatePHI(i64(), 2);
  i->addIncoming(c64(0), pre);
  b_.CreateCondBr(b_.CreateICmpSLT(i, size), body, end);
  b_.SetInsertPoint(body);
  Value* v = element(i);
  store_element(b_.CreateGEP(mt, data, i), v, at->elem());
  Value* next = b_.CreateNSWAdd(i, c64(1));
  i->addIncoming(next, b_.GetInsertBlock());
  b_.CreateBr(header);
  b_.SetInsertPoint(end);
}

Val FunctionLowering::new_array(const NewArrayExpr& e) {
  const Type* at = e.type;
  const Type* elem = at->elem();
  llvm::Type* dt = vt(at);
  Value* desc_ptr = entry_alloca(dt, "new");
  uint64_t item = m_.module().getDataLayout().getTypeAllocSize(m_.memory_type(elem));
  std::vector<Value*> args;
  for (const ExprRef& a : e.args) args.push_back(scalar(*a));
  std::vector<Value*> shape;
  for (const ExprRef& s : e.shape) shape.push_back(scalar(*s));
  if (e.array_kind == NewArrayKind::Arange) {
    Value* len = entry_alloca(i64(), "len");
    bool f = e.args[0]->type->is_float();
    check_status(b_.CreateCall(m_.runtime(f ? "nk_arange_len_f64" : "nk_arange_len_i64"), {args[0], args[1], args[2], len}));
    shape = {b_.CreateLoad(i64(), len)};
  }
  if (e.array_kind == NewArrayKind::Linspace) check_status(b_.CreateCall(m_.runtime("nk_linspace_check"), {shape[0]}));
  Value* desc = llvm::Constant::getNullValue(dt);
  for (size_t k = 0; k < shape.size(); ++k) desc = b_.CreateInsertValue(desc, shape[k], {2u, static_cast<unsigned>(k)});
  b_.CreateStore(desc, desc_ptr);
  bool zero = e.array_kind == NewArrayKind::Zeros;
  check_status(b_.CreateCall(m_.runtime("nk_array_new"), {desc_ptr, c32(at->ndim()), c64(static_cast<int64_t>(item)), c32(zero ? 1 : 0)}));
  // The reference is ours from here on: release it if filling fails.
  Val result{nullptr, true};
  llvm::Type* et = vt(elem);
  switch (e.array_kind) {
    case NewArrayKind::Empty:
    case NewArrayKind::Zeros: break;
    case NewArrayKind::Ones: {
      Value* one = elem->is_float() ? llvm::ConstantFP::get(et, 1.0) : llvm::ConstantInt::get(et, 1);
      fill_contiguous(desc_ptr, at, [&](Value*) { return one; });
      break;
    }
    case NewArrayKind::Full: fill_contiguous(desc_ptr, at, [&](Value*) { return args[0]; }); break;
    case NewArrayKind::Arange: {
      const Type* ct = e.args[0]->type;
      // NumPy fills float ranges with start + i * delta, delta = (start + step) - start.
      Value* delta = ct->is_float() ? b_.CreateFSub(b_.CreateFAdd(args[0], args[2]), args[0]) : args[2];
      fill_contiguous(desc_ptr, at, [&](Value* i) {
        Value* v = ct->is_float() ? b_.CreateFAdd(args[0], b_.CreateFMul(b_.CreateSIToFP(i, vt(ct)), delta))
                                  : b_.CreateAdd(args[0], b_.CreateMul(i, args[2]));
        return cast(v, ct, elem);
      });
      break;
    }
    case NewArrayKind::Linspace: {
      // NumPy: step = (stop - start) / (num - 1); y[i] = start + i * step; y[-1] = stop.
      Value* num = shape[0];
      // With one sample there is no step: NumPy gives [start].
      Value* div = b_.CreateSIToFP(b_.CreateSub(num, c64(1)), b_.getDoubleTy());
      Value* delta = b_.CreateFSub(args[1], args[0]);
      Value* step = b_.CreateSelect(b_.CreateICmpSGT(num, c64(1)), b_.CreateFDiv(delta, div), delta);
      Value* last = b_.CreateSub(num, c64(1));
      fill_contiguous(desc_ptr, at, [&](Value* i) {
        Value* v = b_.CreateFAdd(args[0], b_.CreateFMul(b_.CreateSIToFP(i, b_.getDoubleTy()), step));
        Value* is_last = b_.CreateAnd(b_.CreateICmpEQ(i, last), b_.CreateICmpSGT(num, c64(1)));
        v = b_.CreateSelect(is_last, args[1], v);
        return cast(v, float64(), elem);
      });
      break;
    }
  }
  result.v = b_.CreateLoad(dt, desc_ptr);
  return result;
}

Value* FunctionLowering::format(const FormatExpr& e) {
  Value* builder = b_.CreateCall(m_.runtime("nk_fmt_begin"), {});
  for (const FormatPart& p : e.parts) {
    if (!p.value) {
      Value* s = m_.string_constant(p.literal);
      Value* spec = m_.string_constant("");
      b_.CreateCall(m_.runtime("nk_fmt_str"), {builder, b_.CreateExtractValue(s, 0), b_.CreateExtractValue(s, 1),
                                               b_.CreateExtractValue(spec, 0), b_.CreateExtractValue(spec, 1), c32(0)});
      continue;
    }
    const Type* t = p.value->type;
    Val v = expr(*p.value);
    if (t->is_array()) hold(v);
    // !r on numbers is the same as str(); on strings it quotes (not supported: as str).
    Value* spec = m_.string_constant(p.spec);
    Value* sp = b_.CreateExtractValue(spec, 0);
    Value* sn = b_.CreateExtractValue(spec, 1);
    Value* status = nullptr;
    switch (t->kind()) {
      case TypeKind::Bool: status = b_.CreateCall(m_.runtime("nk_fmt_bool"), {builder, v.v, sp, sn, line(e.range)}); break;
      case TypeKind::Int: {
        Value* x = t->is_signed() ? b_.CreateSExt(v.v, i64()) : b_.CreateZExt(v.v, i64());
        status = b_.CreateCall(m_.runtime("nk_fmt_i64"), {builder, x, b_.getInt1(!t->is_signed()), sp, sn, line(e.range)});
        break;
      }
      case TypeKind::Float: {
        Value* x = t->bits() == 32 ? b_.CreateFPExt(v.v, b_.getDoubleTy()) : v.v;
        status = b_.CreateCall(m_.runtime("nk_fmt_f64"), {builder, x, b_.getInt1(t->bits() == 32), sp, sn, line(e.range)});
        break;
      }
      case TypeKind::String:
        status = b_.CreateCall(m_.runtime("nk_fmt_str"), {builder, b_.CreateExtractValue(v.v, 0), b_.CreateExtractValue(v.v, 1),
                                                          sp, sn, line(e.range)});
        break;
      case TypeKind::Array:
        b_.CreateCall(m_.runtime("nk_fmt_array"), {builder, spill(v.v), c32(t->ndim()), c32(dtype_code(t->elem()))});
        break;
      case TypeKind::Tuple: {
        auto lit = [&](const char* s) {
          Value* c = m_.string_constant(s);
          Value* empty = m_.string_constant("");
          b_.CreateCall(m_.runtime("nk_fmt_str"), {builder, b_.CreateExtractValue(c, 0), b_.CreateExtractValue(c, 1),
                                                   b_.CreateExtractValue(empty, 0), b_.CreateExtractValue(empty, 1), c32(0)});
        };
        lit("(");
        for (size_t k = 0; k < t->elements().size(); ++k) {
          if (k) lit(", ");
          const Type* et = t->elements()[k];
          Value* x = b_.CreateExtractValue(v.v, static_cast<unsigned>(k));
          Value* empty = m_.string_constant("");
          Value* ep = b_.CreateExtractValue(empty, 0);
          Value* en = b_.CreateExtractValue(empty, 1);
          if (et->is_bool()) b_.CreateCall(m_.runtime("nk_fmt_bool"), {builder, x, ep, en, c32(0)});
          else if (et->is_int())
            b_.CreateCall(m_.runtime("nk_fmt_i64"), {builder, et->is_signed() ? b_.CreateSExt(x, i64()) : b_.CreateZExt(x, i64()),
                                                     b_.getInt1(!et->is_signed()), ep, en, c32(0)});
          else
            b_.CreateCall(m_.runtime("nk_fmt_f64"), {builder, et->bits() == 32 ? b_.CreateFPExt(x, b_.getDoubleTy()) : x,
                                                     b_.getInt1(et->bits() == 32), ep, en, c32(0)});
        }
        lit(t->elements().size() == 1 ? ",)" : ")");
        break;
      }
      default: NK_CHECK(false) << "format of " << t->str();
    }
    if (status) check_status(status);
  }
  Value* out = entry_alloca(m_.str_type(), "fmt");
  b_.CreateCall(m_.runtime("nk_fmt_end"), {builder, out});
  return b_.CreateLoad(m_.str_type(), out);
}

}  // namespace


// ---- CUDA ----
//
// Host code reaches the GPU in two ways. A kernel launch mirrors its array arguments
// (nk_cuda_mirror: host arrays get GPU copies, device arrays pass through), launches,
// and copies back what the kernel may have written. A @jit(target="cuda") function runs
// on the host except for its top-level loops: each becomes a grid-stride kernel whose
// parameters are the loop's range and the locals it uses; the function's session keeps
// the GPU copies of its arrays from loop to loop and brings them back before host code
// that touches arrays, and when the function returns.

namespace {

// Whether `body` may write array local `index` or let it escape where it could be
// written: any use but as the array of a load or of a shape query counts.
bool may_write(const Stmt& body, int index) {
  int uses = 0, reads = 0;
  auto is_it = [&](const ExprRef& a) { return a->kind == ExprKind::Local && a->as<LocalExpr>().index == index; };
  walk_exprs(body, [&](const Expr& e) {
    if (e.kind == ExprKind::Local && e.as<LocalExpr>().index == index) ++uses;
    if (e.kind == ExprKind::Load && is_it(e.as<LoadExpr>().array)) ++reads;
    if (e.kind == ExprKind::ArrayDim && is_it(e.as<ArrayDimExpr>().array)) ++reads;
  });
  bool assigned = false;
  std::function<void(const Stmt&)> scan = [&](const Stmt& x) {
    if (x.kind == StmtKind::Assign && x.as<AssignStmt>().local == index) assigned = true;
    for_each_child(x, [](const Expr&) {}, scan);
  };
  scan(body);
  return assigned || uses != reads;
}

// The locals a statement mentions: read, assigned, loop variables, let bindings.
std::set<int> locals_used(const Stmt& body) {
  std::set<int> out;
  walk_exprs(body, [&](const Expr& e) {
    if (e.kind == ExprKind::Local) out.insert(e.as<LocalExpr>().index);
    if (e.kind == ExprKind::Let) out.insert(e.as<LetExpr>().local);
  });
  std::function<void(const Stmt&)> scan = [&](const Stmt& x) {
    if (x.kind == StmtKind::Assign) out.insert(x.as<AssignStmt>().local);
    if (x.kind == StmtKind::ForRange) out.insert(x.as<ForRangeStmt>().local);
    for_each_child(x, [](const Expr&) {}, scan);
  };
  scan(body);
  return out;
}

// Whether host statement `s` may use array elements (or call code that might): the GPU
// copies must come back first. Shapes and sizes do not count.
bool touches_arrays(const Stmt& s) {
  int arrays = 0, shapes = 0;
  bool calls = false;
  walk_exprs(s, [&](const Expr& e) {
    if (e.type->is_array()) ++arrays;
    if (e.kind == ExprKind::Call) calls = true;
    if (e.kind == ExprKind::ArrayDim && e.as<ArrayDimExpr>().array->kind == ExprKind::Local) ++shapes;
  });
  std::function<void(const Stmt&)> scan = [&](const Stmt& x) {
    if (x.kind == StmtKind::Store) calls = true;
    for_each_child(x, [](const Expr&) {}, scan);
  };
  scan(s);
  return calls || arrays > shapes;
}

constexpr uint64_t kMaxLoopBlocks = 1024;  // runtime/cuda_runtime.h
constexpr uint64_t kLoopThreads = 256;

}  // namespace

Value* FunctionLowering::iteration_count(Value* start, Value* stop, Value* step) {
  Value* up = b_.CreateICmpSGT(step, c64(0));
  Value* span = b_.CreateSelect(up, b_.CreateSub(stop, start), b_.CreateSub(start, stop));
  Value* mag = b_.CreateSelect(up, step, b_.CreateNeg(step));
  return b_.CreateSelect(b_.CreateICmpSGT(span, c64(0)), b_.CreateSDiv(b_.CreateAdd(span, b_.CreateSub(mag, c64(1))), mag),
                         c64(0));
}

void FunctionLowering::sync_session() {
  check_status(b_.CreateCall(m_.runtime("nk_cuda_session_sync"), {b_.CreateLoad(ptr(), session_), line(statement_range_)}));
}

void FunctionLowering::top_level_block(const BlockStmt& b) {
  for (const StmtRef& x : b.stmts) {
    if (terminated()) start_dead_block();
    statement_range_ = x->range;
    if (x->kind == StmtKind::ForRange) {
      gpu_loop(x->as<ForRangeStmt>());
      continue;
    }
    if (touches_arrays(*x)) sync_session();
    stmt(*x);
  }
}

void FunctionLowering::mirror(Value* desc, Value* out, const Type* t, bool written, SourceRange r) {
  check_status(b_.CreateCall(m_.runtime("nk_cuda_mirror"),
                             {b_.CreateLoad(ptr(), session_), desc, out, c32(t->ndim()),
                              c64(static_cast<int64_t>(item_size(t->elem()))), c32(written ? 1 : 0), line(r)}));
}

void FunctionLowering::gpu_loop(const ForRangeStmt& s) {
  GpuLoop loop;
  loop.info = analyze_parallel_loop(s);
  auto [start, step, count] = evaluate_range(s);
  for (int i : locals_used(*s.body))
    if (locals_[static_cast<size_t>(i)] && !loop.info.reductions.count(i)) loop.captured.push_back(i);
  for (const auto& [v, op] : loop.info.reductions)
    if (locals_[static_cast<size_t>(v)]) loop.reductions.push_back(v);
  for (int v : loop.info.assigned) {
    const Type* t = fn_.locals[static_cast<size_t>(v)].type;
    // Arrays assigned inside the loop are views of GPU memory: they stay behind.
    if (v == s.local || loop.info.reductions.count(v) || !locals_[static_cast<size_t>(v)] || t->is_array()) continue;
    loop.tail.push_back(v);
  }
  std::vector<llvm::Type*> fields{ptr(), i64(), i64(), i64()};
  for (int i : loop.captured) fields.push_back(vt(fn_.locals[static_cast<size_t>(i)].type));
  loop.params = llvm::StructType::get(m_.ctx(), fields);
  std::vector<llvm::Type*> tail_fields;
  for (int v : loop.tail) tail_fields.push_back(vt(fn_.locals[static_cast<size_t>(v)].type));
  loop.tail_type = llvm::StructType::get(m_.ctx(), tail_fields);
  llvm::DataLayout gpu_layout(kGpuDataLayout);
  loop.tail_bytes = loop.tail.empty() ? 0 : (gpu_layout.getTypeAllocSize(loop.tail_type) + 7) / 8 * 8;
  uint64_t slot_bytes = 8 * loop.reductions.size();

  Value* params = entry_alloca(loop.params, "gpu.params");
  b_.CreateStore(llvm::Constant::getNullValue(loop.params), params);
  b_.CreateStore(start, b_.CreateStructGEP(loop.params, params, 1));
  b_.CreateStore(step, b_.CreateStructGEP(loop.params, params, 2));
  b_.CreateStore(count, b_.CreateStructGEP(loop.params, params, 3));
  for (size_t k = 0; k < loop.captured.size(); ++k) {
    int i = loop.captured[k];
    const Type* t = fn_.locals[static_cast<size_t>(i)].type;
    Value* field = b_.CreateStructGEP(loop.params, params, static_cast<unsigned>(4 + k));
    if (t->is_array()) mirror(locals_[static_cast<size_t>(i)], field, t, may_write(*s.body, i), s.range);
    else b_.CreateStore(b_.CreateLoad(vt(t), locals_[static_cast<size_t>(i)]), field);
  }
  std::string kernel = m_.gpu_module().add_loop_kernel(fn_, s, loop);
  uint64_t out_bytes = loop.tail_bytes + kMaxLoopBlocks * slot_bytes;
  Value* out = entry_alloca(llvm::ArrayType::get(i64(), std::max<uint64_t>(1, out_bytes / 8)), "gpu.result");
  Value* blocks = entry_alloca(i64(), "gpu.blocks");
  check_status(b_.CreateCall(m_.runtime("nk_cuda_launch_loop"),
                             {m_.gpu_module_ref(), m_.cstring(kernel), count, params,
                              c64(static_cast<int64_t>(gpu_layout.getTypeAllocSize(loop.params))),
                              c64(static_cast<int64_t>(loop.tail_bytes)), c64(static_cast<int64_t>(slot_bytes)), out, blocks,
                              line(s.range)}));
  Value* nblocks = b_.CreateLoad(i64(), blocks);
  // Each block's partial results, folded in block order.
  size_t nred = loop.reductions.size();
  for (size_t r = 0; r < nred; ++r) {
    int v = loop.reductions[r];
    fold_partials(v, loop.info.reductions.at(v), nblocks, "gpu.fold", [&](Value* c) {
      Value* offset = b_.CreateAdd(c64(static_cast<int64_t>(loop.tail_bytes)),
                                   b_.CreateMul(b_.CreateAdd(b_.CreateMul(c, c64(static_cast<int64_t>(nred))), c64(static_cast<int64_t>(r))), c64(8)));
      return b_.CreateLoad(vt(fn_.locals[static_cast<size_t>(v)].type), b_.CreateGEP(i8(), out, offset));
    });
  }
  // What the last iteration leaves behind, as after a serial loop.
  llvm::BasicBlock* ran = block("gpu.ran");
  llvm::BasicBlock* done = block("gpu.done");
  b_.CreateCondBr(b_.CreateICmpSGT(count, c64(0)), ran, done);
  b_.SetInsertPoint(ran);
  if (!loop.tail.empty()) {
    Value* tail = b_.CreateLoad(loop.tail_type, out);
    for (size_t k = 0; k < loop.tail.size(); ++k)
      b_.CreateStore(b_.CreateExtractValue(tail, static_cast<unsigned>(k)), locals_[static_cast<size_t>(loop.tail[k])]);
  }
  b_.CreateStore(b_.CreateAdd(start, b_.CreateMul(b_.CreateSub(count, c64(1)), step)), locals_[static_cast<size_t>(s.local)]);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

std::string ModuleLowering::add_loop_kernel(const Function& fn, const ForRangeStmt& s, const GpuLoop& loop) {
  std::string name = "nk_loop_" + std::to_string(index_of(&fn)) + "_" + std::to_string(loop_kernel_count_++) + "_" + fn.name;
  auto* p = llvm::PointerType::getUnqual(ctx_);
  auto* body_type = llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx_), {p, p}, false);
  auto* body = llvm::Function::Create(body_type, llvm::Function::InternalLinkage, name + ".body", module_.get());
  FunctionLowering(*this, fn, body).run_gpu_loop_body(s, loop);
  auto* entry_type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {p}, false);
  auto* entry = llvm::Function::Create(entry_type, llvm::Function::ExternalLinkage, name, module_.get());
  entry->addParamAttr(0, llvm::Attribute::getWithByValType(ctx_, loop.params));
  entry->addParamAttr(0, llvm::Attribute::getWithAlignment(ctx_, llvm::Align(8)));
  mark_kernel(entry);
  FunctionLowering(*this, fn, entry).emit_gpu_loop_entry(body, loop);
  return name;
}

void FunctionLowering::run_gpu_loop_body(const ForRangeStmt& s, const GpuLoop& loop) {
  in_chunk_ = true;  // a prange nested in the loop runs serially
  begin_function();
  Value* params = llfn_->getArg(0);
  Value* partials = llfn_->getArg(1);
  for (size_t k = 0; k < loop.captured.size(); ++k) {
    int i = loop.captured[k];
    llvm::Type* t = vt(fn_.locals[static_cast<size_t>(i)].type);
    b_.CreateStore(b_.CreateLoad(t, b_.CreateStructGEP(loop.params, params, static_cast<unsigned>(4 + k))),
                   locals_[static_cast<size_t>(i)]);
  }
  for (int v : loop.reductions)
    b_.CreateStore(identity(loop.info.reductions.at(v), fn_.locals[static_cast<size_t>(v)].type), locals_[static_cast<size_t>(v)]);
  Value* result = b_.CreateLoad(ptr(), b_.CreateStructGEP(loop.params, params, 0));
  Value* start = b_.CreateLoad(i64(), b_.CreateStructGEP(loop.params, params, 1));
  Value* step = b_.CreateLoad(i64(), b_.CreateStructGEP(loop.params, params, 2));
  Value* count = b_.CreateLoad(i64(), b_.CreateStructGEP(loop.params, params, 3));
  Value* first = b_.CreateAdd(special_register(Intrinsic::ThreadIdx, 0),
                              b_.CreateMul(special_register(Intrinsic::BlockIdx, 0), special_register(Intrinsic::BlockDim, 0)));
  Value* stride = b_.CreateMul(special_register(Intrinsic::BlockDim, 0), special_register(Intrinsic::GridDim, 0));
  run_iterations(s, first, count, stride, start, step, "grid");
  for (size_t r = 0; r < loop.reductions.size(); ++r) {
    int v = loop.reductions[r];
    b_.CreateStore(b_.CreateLoad(vt(fn_.locals[static_cast<size_t>(v)].type), locals_[static_cast<size_t>(v)]),
                   b_.CreateConstGEP1_64(i64(), partials, r));
  }
  if (!loop.tail.empty()) {
    // The thread that ran the last iteration, count - 1, leaves its variables behind.
    Value* last = b_.CreateSub(count, c64(1));
    Value* mine = b_.CreateAnd(b_.CreateICmpSGE(last, first),
                               b_.CreateICmpEQ(b_.CreateURem(b_.CreateSub(last, first), stride), c64(0)));
    llvm::BasicBlock* write = block("grid.last");
    llvm::BasicBlock* finish = block("grid.finish");
    b_.CreateCondBr(mine, write, finish);
    b_.SetInsertPoint(write);
    Value* tail = llvm::UndefValue::get(loop.tail_type);
    for (size_t j = 0; j < loop.tail.size(); ++j)
      tail = b_.CreateInsertValue(tail, b_.CreateLoad(vt(fn_.locals[static_cast<size_t>(loop.tail[j])].type),
                                                      locals_[static_cast<size_t>(loop.tail[j])]),
                                  static_cast<unsigned>(j));
    b_.CreateStore(tail, result);
    b_.CreateBr(finish);
    b_.SetInsertPoint(finish);
  }
  end_function();
}

void FunctionLowering::emit_gpu_loop_entry(llvm::Function* body, const GpuLoop& loop) {
  b_.SetInsertPoint(llvm::BasicBlock::Create(m_.ctx(), "entry", llfn_));
  size_t nred = loop.reductions.size();
  auto type_of = [&](size_t r) { return fn_.locals[static_cast<size_t>(loop.reductions[r])].type; };
  auto op_of = [&](size_t r) { return loop.info.reductions.at(loop.reductions[r]); };
  Value* partials = b_.CreateAlloca(llvm::ArrayType::get(i64(), std::max<size_t>(1, nred)));
  // A thread whose iterations raised contributes the identity.
  for (size_t r = 0; r < nred; ++r) b_.CreateStore(identity(op_of(r), type_of(r)), b_.CreateConstGEP1_64(i64(), partials, r));
  b_.CreateCall(body, {llfn_->getArg(0), partials});
  if (nred == 0) {
    b_.CreateRetVoid();
    return;
  }
  // The block's threads fold their results in thread order through shared memory.
  auto* shared_t = llvm::ArrayType::get(i64(), nred * kLoopThreads);
  auto* g = new llvm::GlobalVariable(m_.module(), shared_t, false, llvm::GlobalValue::InternalLinkage,
                                     llvm::UndefValue::get(shared_t), "loop.partials", nullptr,
                                     llvm::GlobalValue::NotThreadLocal, 3);
  Value* shared = b_.CreateAddrSpaceCast(g, ptr());
  Value* tid = special_register(Intrinsic::ThreadIdx, 0);
  for (size_t r = 0; r < nred; ++r) {
    Value* v = b_.CreateLoad(vt(type_of(r)), b_.CreateConstGEP1_64(i64(), partials, r));
    b_.CreateStore(v, b_.CreateGEP(i64(), shared, b_.CreateAdd(c64(static_cast<int64_t>(r * kLoopThreads)), tid)));
  }
  b_.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier0, {}, {});
  llvm::BasicBlock* fold = block("fold");
  llvm::BasicBlock* done = block("done");
  b_.CreateCondBr(b_.CreateICmpEQ(tid, c64(0)), fold, done);
  b_.SetInsertPoint(fold);
  Value* result = b_.CreateLoad(ptr(), b_.CreateStructGEP(loop.params, llfn_->getArg(0), 0));
  Value* threads = special_register(Intrinsic::BlockDim, 0);
  Value* block_index = special_register(Intrinsic::BlockIdx, 0);
  for (size_t r = 0; r < nred; ++r) {
    const Type* t = type_of(r);
    llvm::BasicBlock* pre = b_.GetInsertBlock();
    llvm::BasicBlock* header = block("fold.cond");
    llvm::BasicBlock* step = block("fold.body");
    llvm::BasicBlock* end = block("fold.end");
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    llvm::PHINode* j = b_.CreatePHI(i64(), 2);
    llvm::PHINode* acc = b_.CreatePHI(vt(t), 2);
    j->addIncoming(c64(0), pre);
    acc->addIncoming(identity(op_of(r), t), pre);
    b_.CreateCondBr(b_.CreateICmpSLT(j, threads), step, end);
    b_.SetInsertPoint(step);
    Value* v = b_.CreateLoad(vt(t), b_.CreateGEP(i64(), shared, b_.CreateAdd(c64(static_cast<int64_t>(r * kLoopThreads)), j)));
    Value* next = combine(op_of(r), t, acc, v);
    j->addIncoming(b_.CreateAdd(j, c64(1)), step);
    acc->addIncoming(next, step);
    b_.CreateBr(header);
    b_.SetInsertPoint(end);
    Value* offset = b_.CreateAdd(c64(static_cast<int64_t>(loop.tail_bytes)),
                                 b_.CreateMul(b_.CreateAdd(b_.CreateMul(block_index, c64(static_cast<int64_t>(nred))),
                                                           c64(static_cast<int64_t>(r))),
                                              c64(8)));
    b_.CreateStore(acc, b_.CreateGEP(i8(), result, offset));
  }
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  b_.CreateRetVoid();
}

Val FunctionLowering::launch(const CallExpr& e) {
  const Function* kernel = e.callee;
  if (m_.options().cuda_on_cpu) {
    raise_constant("RuntimeError",
                   "the CUDA kernel '" + kernel->name + "' needs a GPU: --target=cpu runs @jit(target=\"cuda\") functions on "
                   "the CPU, not @cuda.jit kernels",
                   e.range);
    start_dead_block();
    return {nullptr};
  }
  Value* dims = entry_alloca(llvm::ArrayType::get(i64(), 6), "launch.dims");
  for (size_t k = 0; k < 6; ++k) b_.CreateStore(scalar(*e.launch[k]), b_.CreateConstGEP2_64(llvm::ArrayType::get(i64(), 6), dims, 0, k));
  std::vector<llvm::Type*> fields;
  for (const Type* t : kernel->params) fields.push_back(vt(t));
  auto* params_t = llvm::StructType::get(m_.ctx(), fields);
  std::vector<Val> args;
  for (const ExprRef& a : e.args) {
    Val v = expr(*a);
    if (a->type->is_array()) hold(v);
    args.push_back(v);
  }
  Value* params = entry_alloca(params_t, "launch.params");
  Value* session = b_.CreateCall(m_.runtime("nk_cuda_session_new"), {});
  auto checked = [&](Value* status, bool traceback) {
    llvm::BasicBlock* ok = block("launch.ok");
    llvm::BasicBlock* fail = block("launch.fail");
    llvm::MDBuilder md(m_.ctx());
    b_.CreateCondBr(b_.CreateICmpEQ(status, c32(0)), ok, fail, md.createBranchWeights(1 << 20, 1));
    b_.SetInsertPoint(fail);
    b_.CreateCall(m_.runtime("nk_cuda_session_free"), {session});
    if (traceback)
      b_.CreateCall(m_.runtime("nk_traceback"), {m_.cstring(fn_.target == Target::Host ? "<module>" : fn_.name), line(e.range)});
    unwind();
    b_.SetInsertPoint(ok);
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const Type* t = e.args[i]->type;
    Value* field = b_.CreateStructGEP(params_t, params, static_cast<unsigned>(i));
    if (!t->is_array()) {
      b_.CreateStore(args[i].v, field);
      continue;
    }
    checked(b_.CreateCall(m_.runtime("nk_cuda_mirror"),
                          {session, spill(args[i].v), field, c32(t->ndim()), c64(static_cast<int64_t>(item_size(t->elem()))),
                           c32(may_write(*kernel->body, static_cast<int>(i)) ? 1 : 0), line(e.range)}),
            false);
  }
  llvm::DataLayout gpu_layout(kGpuDataLayout);
  std::string symbol = kernel_symbol(m_.index_of(kernel), kernel->name);
  checked(b_.CreateCall(m_.runtime("nk_cuda_launch"),
                        {m_.gpu_module_ref(), m_.cstring(symbol), dims, params,
                         c64(static_cast<int64_t>(gpu_layout.getTypeAllocSize(params_t))), line(e.range)}),
          true);
  checked(b_.CreateCall(m_.runtime("nk_cuda_session_sync"), {session, line(e.range)}), false);
  b_.CreateCall(m_.runtime("nk_cuda_session_free"), {session});
  return {nullptr};
}

Value* FunctionLowering::special_register(Intrinsic id, int axis) {
  bool dim = id == Intrinsic::BlockDim || id == Intrinsic::GridDim;
  if (!gpu()) return c64(dim ? 1 : 0);  // on the CPU: one thread in one block
  static const llvm::Intrinsic::ID table[4][3] = {
      {llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x, llvm::Intrinsic::nvvm_read_ptx_sreg_tid_y, llvm::Intrinsic::nvvm_read_ptx_sreg_tid_z},
      {llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_x, llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_y, llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_z},
      {llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_x, llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_y, llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_z},
      {llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_x, llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_y, llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_z}};
  int row = id == Intrinsic::ThreadIdx ? 0 : id == Intrinsic::BlockIdx ? 1 : id == Intrinsic::BlockDim ? 2 : 3;
  return b_.CreateZExt(b_.CreateIntrinsic(table[row][axis], {}, {}), i64());
}

Val FunctionLowering::thread_array(const IntrinsicExpr& e) {
  const Type* at = e.type;
  std::vector<int64_t> shape;
  uint64_t total = 1;
  for (const ExprRef& a : e.args) {
    shape.push_back(a->as<ConstExpr>().int_value);
    total *= static_cast<uint64_t>(shape.back());
  }
  auto* storage_t = llvm::ArrayType::get(m_.memory_type(at->elem()), total);
  Value* data;
  if (e.id == Intrinsic::SharedArray && gpu()) {
    data = m_.shared_array(&e, storage_t);
    data = b_.CreateAddrSpaceCast(data, ptr());
  } else {
    // Local arrays, and on the CPU shared ones too (a block is one thread there).
    llvm::AllocaInst* a = entry_alloca(storage_t, "local.array");
    a->setAlignment(llvm::Align(16));
    data = a;
  }
  llvm::Type* dt = vt(at);
  Value* desc = llvm::Constant::getNullValue(dt);
  desc = b_.CreateInsertValue(desc, data, 1);
  int64_t stride = static_cast<int64_t>(item_size(at->elem()));
  for (int k = at->ndim() - 1; k >= 0; --k) {
    desc = b_.CreateInsertValue(desc, c64(shape[static_cast<size_t>(k)]), {2u, static_cast<unsigned>(k)});
    desc = b_.CreateInsertValue(desc, c64(stride), {3u, static_cast<unsigned>(k)});
    stride *= shape[static_cast<size_t>(k)];
  }
  return {desc, false};
}

Value* FunctionLowering::atomic(const IntrinsicExpr& e) {
  const Type* at = e.args[0]->type;
  const Type* el = at->elem();
  size_t n = static_cast<size_t>(at->ndim());
  Val array = expr(*e.args[0]);
  hold(array);
  std::vector<ExprRef> indices(e.args.begin() + 1, e.args.begin() + 1 + static_cast<long>(n));
  Value* addr = element_address(array, e.args[0].get(), at, indices, e.range);
  std::vector<Value*> values;
  for (size_t k = 1 + n; k < e.args.size(); ++k) values.push_back(scalar(*e.args[k]));
  llvm::MaybeAlign align(item_size(el));
  auto order = llvm::AtomicOrdering::Monotonic;
  bool f = el->is_float();
  bool sgn = el->is_signed();
  using Op = llvm::AtomicRMWInst::BinOp;
  Op op = Op::Add;
  switch (e.id) {
    case Intrinsic::AtomicAdd: op = f ? Op::FAdd : Op::Add; break;
    case Intrinsic::AtomicSub: op = f ? Op::FSub : Op::Sub; break;
    case Intrinsic::AtomicMax: op = f ? Op::FMax : sgn ? Op::Max : Op::UMax; break;
    case Intrinsic::AtomicMin: op = f ? Op::FMin : sgn ? Op::Min : Op::UMin; break;
    case Intrinsic::AtomicExch: op = Op::Xchg; break;
    case Intrinsic::AtomicCas: {
      Value* pair = b_.CreateAtomicCmpXchg(addr, values[0], values[1], align, order, order);
      return b_.CreateExtractValue(pair, 0);
    }
    default: NK_CHECK(false) << "not an atomic";
  }
  return b_.CreateAtomicRMW(op, addr, values[0], align, order);
}

Val FunctionLowering::cuda_host_intrinsic(const IntrinsicExpr& e) {
  // With --target=cpu, device arrays are host arrays and the GPU calls do nothing.
  bool cpu = m_.options().cuda_on_cpu;
  switch (e.id) {
    case Intrinsic::CudaAvailable:
      return {cpu ? static_cast<Value*>(b_.getFalse()) : b_.CreateCall(m_.runtime("nk_cuda_is_available"), {})};
    case Intrinsic::Synchronize:
      if (!cpu) check_status(b_.CreateCall(m_.runtime("nk_cuda_synchronize"), {line(e.range)}));
      return {nullptr};
    case Intrinsic::ToDevice:
    case Intrinsic::CopyToHost: {
      const Type* src_t = e.args[0]->type;
      Val src = expr(*e.args[0]);
      hold(src);
      Value* dst = entry_alloca(vt(e.type), "cuda.copy");
      Value* ndim = c32(src_t->ndim());
      Value* item = c64(static_cast<int64_t>(item_size(src_t->elem())));
      Value* status = cpu ? b_.CreateCall(m_.runtime("nk_array_copy"), {dst, spill(src.v), ndim, item})
                          : b_.CreateCall(m_.runtime(e.id == Intrinsic::ToDevice ? "nk_cuda_to_device" : "nk_cuda_copy_to_host"),
                                          {spill(src.v), dst, ndim, item, line(e.range)});
      check_status(status);
      return {b_.CreateLoad(vt(e.type), dst), true};
    }
    case Intrinsic::DeviceArray: {
      const Type* at = e.type;
      Value* desc = llvm::Constant::getNullValue(vt(at));
      for (size_t k = 0; k < e.args.size(); ++k) desc = b_.CreateInsertValue(desc, scalar(*e.args[k]), {2u, static_cast<unsigned>(k)});
      Value* slot = entry_alloca(vt(at), "device.array");
      b_.CreateStore(desc, slot);
      Value* ndim = c32(at->ndim());
      Value* item = c64(static_cast<int64_t>(item_size(at->elem())));
      Value* status = cpu ? b_.CreateCall(m_.runtime("nk_array_new"), {slot, ndim, item, c32(1)})
                          : b_.CreateCall(m_.runtime("nk_cuda_device_array"), {slot, ndim, item, line(e.range)});
      check_status(status);
      return {b_.CreateLoad(vt(at), slot), true};
    }
    default: break;
  }
  NK_CHECK(false) << "not a CUDA host intrinsic";
  return {nullptr};
}

std::string entry_symbol(const std::string& prefix, size_t index) { return prefix + "call." + std::to_string(index); }

std::string kernel_symbol(size_t index, const std::string& name) {
  return "nk_kernel_" + std::to_string(index) + "_" + name;
}

std::unique_ptr<llvm::Module> lower_program(const ir::Program& program, llvm::LLVMContext& context,
                                            const LowerOptions& options, std::unique_ptr<llvm::Module>* gpu) {
  ModuleLowering lowering(program, context, options);
  std::unique_ptr<llvm::Module> host = lowering.run();
  if (gpu) *gpu = lowering.take_gpu_module();
  return host;
}

}  // namespace nk::codegen
