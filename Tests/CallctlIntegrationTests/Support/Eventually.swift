import Foundation

/// Polls `condition` every 20 ms for up to `seconds`; true when it held. Between polls the test
/// suspends (`Task.sleep`), so waiting never holds one of the test runner's few cooperative
/// threads, whose other tests would then report this one's wait as their own time.
func eventually(within seconds: Double = 30, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try condition()
}

/// The same for the synchronous process starters and stoppers of the support code
/// (`ServeProcess`, `PortFileProcess`, `FaultWorld`), which cannot suspend.
func eventually(within seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
