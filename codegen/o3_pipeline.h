// nk's -O3 pass list, in the new pass manager's text syntax (`opt -passes=`): LLVM 19's
// O3 pipeline as `opt -O3 -print-pipeline-passes` prints it, less the passes that
// cost nk compile time and bought nk's code nothing:
// - non-trivial loop unswitching (nk versions its loops itself; see optimize.cpp);
// - what nk's modules never need: coroutines, OpenMP, instrumentation, profile-guided
//   passes, call-site splitting, argument promotion, dead-argument elimination,
//   interprocedural constant propagation (ipsccp, called-value-propagation), the
//   first globalopt, constant merging, the post-inline function-attribute passes;
// - the first simplifycfg, sroa and early-cse (the inliner's function pipeline runs
//   each again before any loop pass), its first jump-threading, and sccp, bdce, adce,
//   instsimplify, the simplifycfg before the vectoriser's cleanup and three of the ten
//   instcombine runs (each of those a later pass repeats).
// Each was measured alone (callgrind over 8 of the benchmarks' first calls: none saved
// more than 1.1 %, together with the first group 8 % of the instructions of all 17
// first calls) and together at run time (bench/ab.py, 3 rounds: 1.004x geomean, the
// one kernel outside 0.97-1.03x with its machine code unchanged; docs/runtime.md).
// Kept although they cost the most: loop unrolling (9 % of the instructions; without
// run-time unrolling 1.03x geomean, pairwise_par 1.16x, atax 1.11x) and the SLP
// vectoriser (4 %; without it histogram 1.14x, 1.02x geomean).
// Whitespace is for reading: it is removed before parsing. If this LLVM cannot parse
// the list, nk falls back to LLVM's own O3 with unswitching made trivial-only.
#pragma once

namespace nk::codegen {

// Where the module simplification (the inliner and each function's clean-up) ends
// and the optimisation proper (vectorisers, unrolling) begins: a module split over two
// threads (codegen/module_split.h) is cut there.
inline constexpr const char* kO3LateStart = "always-inline,";

inline constexpr const char* kO3Pipeline = R"(
    inferattrs,
    function<eager-inv>(
      lower-expect,
      mem2reg,
      instcombine<max-iterations=1;no-use-loop-info;no-verify-fixpoint>,
      simplifycfg<
          bonus-inst-threshold=1;no-forward-switch-cond;switch-range-to-icmp;no-switch-to-lookup;
          keep-loops;no-hoist-common-insts;no-sink-common-insts;speculate-blocks;
          simplify-cond-branch;no-speculate-unpredictables
      >
    ),
    always-inline,
    require<globals-aa>,
    function(
      invalidate<aa>
    ),
    cgscc(
      devirt<4>(
        inline,
        function-attrs<skip-non-recursive-function-attrs>,
        function<eager-inv;no-rerun>(
          sroa<modify-cfg>,
          early-cse<memssa>,
          correlated-propagation,
          simplifycfg<
              bonus-inst-threshold=1;no-forward-switch-cond;switch-range-to-icmp;
              no-switch-to-lookup;keep-loops;no-hoist-common-insts;no-sink-common-insts;
              speculate-blocks;simplify-cond-branch;no-speculate-unpredictables
          >,
          instcombine<max-iterations=1;no-use-loop-info;no-verify-fixpoint>,
          aggressive-instcombine,
          tailcallelim,
          simplifycfg<
              bonus-inst-threshold=1;no-forward-switch-cond;switch-range-to-icmp;
              no-switch-to-lookup;keep-loops;no-hoist-common-insts;no-sink-common-insts;
              speculate-blocks;simplify-cond-branch;no-speculate-unpredictables
          >,
          reassociate,
          constraint-elimination,
          loop-mssa(
            loop-instsimplify,
            loop-simplifycfg,
            licm<no-allowspeculation>,
            loop-rotate<header-duplication;no-prepare-for-lto>,
            licm<allowspeculation>,
            simple-loop-unswitch<no-nontrivial;trivial>
          ),
          simplifycfg<
              bonus-inst-threshold=1;no-forward-switch-cond;switch-range-to-icmp;
              no-switch-to-lookup;keep-loops;no-hoist-common-insts;no-sink-common-insts;
              speculate-blocks;simplify-cond-branch;no-speculate-unpredictables
          >,
          loop(
            loop-idiom,
            indvars,
            simple-loop-unswitch<no-nontrivial;trivial>,
            loop-deletion,
            loop-unroll-full
          ),
          sroa<modify-cfg>,
          vector-combine,
          mldst-motion<no-split-footer-bb>,
          gvn<>,
          jump-threading,
          correlated-propagation,
          memcpyopt,
          dse,
          loop-mssa(
            licm<allowspeculation>
          ),
          instcombine<max-iterations=1;no-use-loop-info;no-verify-fixpoint>
        )
      )
    ),
    globalopt,
    globaldce,
    recompute-globalsaa,
    function<eager-inv>(
      float2int,
      lower-constant-intrinsics,
      loop(
        loop-rotate<header-duplication;no-prepare-for-lto>,
        loop-deletion
      ),
      inject-tli-mappings,
      loop-vectorize<no-interleave-forced-only;no-vectorize-forced-only;>,
      infer-alignment,
      loop-load-elim,
      simplifycfg<
          bonus-inst-threshold=1;forward-switch-cond;switch-range-to-icmp;switch-to-lookup;
          no-keep-loops;hoist-common-insts;sink-common-insts;speculate-blocks;simplify-cond-branch;
          no-speculate-unpredictables
      >,
      slp-vectorizer,
      vector-combine,
      instcombine<max-iterations=1;no-use-loop-info;no-verify-fixpoint>,
      loop-unroll<O3>,
      transform-warning,
      sroa<preserve-cfg>,
      infer-alignment,
      instcombine<max-iterations=1;no-use-loop-info;no-verify-fixpoint>,
      loop-mssa(
        licm<allowspeculation>
      ),
      alignment-from-assumptions,
      loop-sink,
      div-rem-pairs,
      tailcallelim,
      simplifycfg<
          bonus-inst-threshold=1;no-forward-switch-cond;switch-range-to-icmp;no-switch-to-lookup;
          keep-loops;no-hoist-common-insts;no-sink-common-insts;speculate-blocks;
          simplify-cond-branch;speculate-unpredictables
      >
    ),
    globaldce
)";

}  // namespace nk::codegen
