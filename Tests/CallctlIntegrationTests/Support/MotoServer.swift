import Foundation
import HTTPClient
import LocalServices

/// `moto_server` (moto, the AWS stand-in, from the package's `.venv`) on a free loopback port,
/// stopped by ``stop()`` or when dropped, and `Peers/s3_fixture.py` (boto3) to prepare and
/// inspect its buckets. With `checkingSignatures`, moto's IAM checks every request's
/// `Authorization` signature after the first three actions (``fixture(_:_:accessKey:secretKey:)``'s
/// `credentials`, which creates the only key it then accepts).
final class MotoServer {
    let endpoint: String
    private let process: ScratchProcess

    init(checkingSignatures: Bool) throws {
        let moto = PusherPeer.packageRoot.appendingPathComponent(".venv/bin/moto_server").path
        guard FileManager.default.isExecutableFile(atPath: moto) else {
            throw LocalServiceError("\(moto) is missing: run scripts/setup.sh (callctl_python_peers) to install moto[server]")
        }
        let port = try LocalHost.freePort()
        let directory = try makeScratchDirectory("moto")
        let environment: [String: String?] = checkingSignatures ? ["INITIAL_NO_AUTH_ACTION_COUNT": "3"] : [:]
        let pid: pid_t
        do {
            pid = try CommandRunner.spawnDetached([moto, "-H", "127.0.0.1", "-p", String(port)], environment: environment)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        process = ScratchProcess(pid: pid, directory: directory)
        endpoint = "http://127.0.0.1:\(port)"
        // The dashboard is no AWS action: it does not count against the unauthenticated ones.
        let ready = eventually(within: 20) {
            (try? HTTPClient.send(HTTPRequest(url: "\(endpoint)/moto-api/", timeout: .seconds(1)))) != nil
        }
        guard ready else {
            process.stop()
            throw LocalServiceError("moto_server did not answer on \(endpoint) within 20 s")
        }
    }

    func stop() { process.stop() }

    /// Runs `s3_fixture.py action params` against this server with the given key pair; its JSON answer.
    func fixture(_ action: String, _ params: [String: Any] = [:], accessKey: String, secretKey: String) throws -> [String: Any] {
        let script = PusherPeer.packageRoot.appendingPathComponent("Tests/CallctlIntegrationTests/Peers/s3_fixture.py").path
        let text = String(decoding: try JSONSerialization.data(withJSONObject: params, options: .sortedKeys), as: UTF8.self)
        let outcome = try CommandRunner.run([PusherPeer.python, script, action, text], environment: [
            "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey,
            "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        ])
        guard outcome.status == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any] else {
            throw LocalServiceError("s3_fixture.py \(action) failed (status \(outcome.status)): \(outcome.output.suffix(2000))")
        }
        return object
    }
}
