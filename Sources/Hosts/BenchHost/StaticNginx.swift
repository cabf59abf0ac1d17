import Foundation

/// nginx serving one file's bytes at one path on a free loopback port: the reference a web benchmark compares our
/// server with (the same bytes under the same `wrk` load). Files live under `root` (its `www/`, config, pid, logs).
struct StaticNginx {
    let process: Process
    let port: Int

    static func start(root: String, path: String, body: [UInt8]) async throws -> StaticNginx {
        let binary = try HTTPBenchmarks.tool("POOL_NGINX_BIN", "/usr/sbin/nginx")
        let file = URL(fileURLWithPath: "\(root)/www\(path)")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(body).write(to: file)
        let port = try HTTPBenchmarks.freePort()
        let config = """
            worker_processes auto;
            pid \(root)/nginx.pid;
            error_log \(root)/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path \(root)/body; proxy_temp_path \(root)/proxy; fastcgi_temp_path \(root)/fcgi;
                uwsgi_temp_path \(root)/uwsgi; scgi_temp_path \(root)/scgi;
                keepalive_requests 1000000;
                server {
                    listen 127.0.0.1:\(port);
                    root \(root)/www;
                    default_type "application/json; charset=utf-8";
                }
            }
            """
        try config.write(toFile: "\(root)/nginx.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-p", root, "-c", "\(root)/nginx.conf", "-g", "daemon off;"]
        try process.run()
        let nginx = StaticNginx(process: process, port: port)
        let deadline = Date().addingTimeInterval(10)
        while (try? HTTPBenchmarks.httpGet(port: port, path: path)) != body {
            guard Date() < deadline, process.isRunning else {
                nginx.stop()
                throw HTTPBenchmarks.BenchError(description: "nginx did not start")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nginx
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
