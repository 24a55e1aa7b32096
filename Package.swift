// swift-tools-version:6.0
// dptrain — distributed data-parallel neural-network training over MPI and OpenBLAS.
import PackageDescription

let package = Package(
    name: "dptrain",
    products: [
        .library(name: "DPTrain", targets: ["DPTrain"]),
        .executable(name: "dptrain", targets: ["dptrain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: - System libraries (Debian: libopenblas-dev, libopenmpi-dev, zlib1g-dev)
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "COpenMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // MARK: - C shim: MPI_COMM_WORLD / MPI_FLOAT are macros Swift cannot import.
        .target(name: "MPIShim", dependencies: ["COpenMPI"]),

        // MARK: - The library and the tool
        .target(name: "DPTrain", dependencies: [
            "COpenBLAS", "MPIShim", "CZlib",
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "dptrain", dependencies: [
            "DPTrain",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: - Tests
        // Naive reference implementations the tests compare the library with (not shipped).
        .target(name: "DPTrainTestSupport", dependencies: ["DPTrain"], path: "Tests/DPTrainTestSupport"),
        .testTarget(name: "DPTrainTests", dependencies: ["DPTrain", "DPTrainTestSupport"]),
    ]
)
