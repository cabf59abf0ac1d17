import Dispatch
import Foundation
import PoolKernel
import WebHost

/// `GET /admin/backup`: the newest automatic backup as an attachment, behind the admin gate of
/// `/status` and `/metrics`. 404 with a sentence when there is none (automatic backups off, the engine has none,
/// or the first one is not written yet).
enum BackupDownloadRoute {
    static let pattern = "/admin/backup"

    static func route(schedule: OnlineBackupSchedule?, adminGuard: AdminGuard) -> Route {
        adminGuard.protect(.async([.get], pattern) { _ in await answer(schedule) })
    }

    static func answer(_ schedule: OnlineBackupSchedule?) async -> HTTPResponse {
        guard let schedule else {
            return .text("No automatic backups: they need storage=sqlite and backupinterval above 0 "
                + "(with MySQL use poolctl db backup FILE).\n", status: .notFound)
        }
        // Listing and opening are file system calls: off the cooperative pool. The body is then sent from the open
        // file as the client reads it (a rotation that deletes the file meanwhile does not cut the download).
        let file: (name: String, body: HTTPFileBody)? = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let newest = OnlineBackupService.newestBackup(in: schedule.directory, fileExtension: schedule.fileExtension)
                continuation.resume(returning: newest.flatMap { path in
                    (try? HTTPFileBody(path: path)).map { (URL(fileURLWithPath: path).lastPathComponent, $0) }
                })
            }
        }
        guard let file else {
            return .text("No backup has been written yet (the first comes one backupinterval after the start).\n",
                         status: .notFound)
        }
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/vnd.sqlite3")
        headers.set("Content-Disposition", "attachment; filename=\"\(file.name)\"")
        headers.set("Cache-Control", "no-store")
        var response = HTTPResponse(status: .ok, headers: headers)
        response.file = file.body
        return response
    }
}
