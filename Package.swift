// swift-tools-version:6.0
import PackageDescription

let releaseOnLinux = BuildSettingCondition.when(platforms: [.linux], configuration: .release)

let package = Package(
  name: "Meta",
  products: [
    .library(name: "MetaLang", targets: ["MetaLang"]),
    .library(name: "MetaMPI", targets: ["MetaMPI"]),
    .library(name: "MetaTensor", targets: ["MetaTensor"]),
    .executable(name: "meta", targets: ["meta"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // AVX2/FMA micro-kernels in C, chosen at run time (no unsafe flags, so the
    // package stays usable as a dependency and runs on CPUs without AVX2).
    .target(name: "CMetaKernels"),
    // Raw-pointer kernels (matmul, im2col, ...): packing, blocking and threading in Swift.
    .target(name: "MetaKernels", dependencies: ["CMetaKernels"]),
    .target(name: "MetaTensor", dependencies: ["MetaKernels"]),
    // zlib (inflate, CRC-32) for the data loaders' zip and PNG reading.
    .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
    // Dataset loaders (zip, PNG, Omniglot); knows nothing of the language.
    .target(name: "MetaData", dependencies: ["MetaTensor", "MetaKernels", "CZlib"]),
    .target(name: "MetaLang", dependencies: ["MetaTensor", "MetaData", "MetaKernels"]),
    // Open MPI as MetaLang's Communicator (spec §8): libmpi is loaded at run time,
    // only under an MPI launcher, so nothing here needs Open MPI to build.
    .target(name: "MetaMPI", dependencies: ["MetaLang"]),
    // GNU readline is GPL: only the command-line program links it.
    .systemLibrary(name: "CReadline", providers: [.apt(["libreadline-dev"])]),
    .executableTarget(
      name: "meta",
      dependencies: [
        "MetaLang", "MetaMPI", "CReadline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      // Start-up (bench/RESULTS.md, "Start-up"): with the Swift runtime and
      // Foundation linked in, a run no longer spends ~5 ms having the dynamic
      // loader map and relocate them. Compiled so as well, so the autolinked
      // libraries are the static ones' (Foundation's ICU, CoreFoundation, ...).
      // Only this executable: the library products stay free of unsafe flags.
      swiftSettings: [.unsafeFlags(["-static-stdlib"], releaseOnLinux)],
      linkerSettings: [.unsafeFlags(["-static-stdlib"], releaseOnLinux)]),
    .executableTarget(name: "embed-example", dependencies: ["MetaLang"], path: "samples/embed"),
    // `swift run -c release meta-bench`: kernel figures (compare with bench/*.py).
    .executableTarget(name: "meta-bench", dependencies: ["MetaKernels"], path: "bench/meta-bench"),
    // `swift run -c release tensor-bench`: per-op overhead and element-wise throughput.
    .executableTarget(name: "tensor-bench", dependencies: ["MetaTensor"], path: "bench/tensor-bench"),
    // Fuzzing (docs/fuzzing.md): the entry points, and the binary scripts/fuzz links
    // into libFuzzer (a plain build of it replays inputs).
    .target(name: "MetaFuzz", dependencies: ["MetaLang", "MetaTensor", "MetaData"], path: "fuzz/MetaFuzz"),
    .executableTarget(name: "meta-fuzz", dependencies: ["MetaFuzz"], path: "fuzz/meta-fuzz"),
    .testTarget(name: "MetaKernelsTests", dependencies: ["MetaKernels"]),
    .testTarget(name: "MetaTensorTests", dependencies: ["MetaTensor"]),
    .testTarget(name: "MetaLangTests", dependencies: ["MetaLang"]),
    .testTarget(name: "MetaDataTests", dependencies: ["MetaData", "MetaTensor"], exclude: ["Fixtures"]),
    .testTarget(name: "MetaCLITests", dependencies: ["meta"]),
    .testTarget(name: "MetaFuzzTests", dependencies: ["MetaFuzz"]),
    // Meta against PyTorch's reference values (Tests/differential; docs/differential-testing.md).
    .testTarget(name: "MetaDifferentialTests", dependencies: ["MetaLang", "MetaTensor"]),
  ]
)
