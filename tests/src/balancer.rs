//! Several `quorum-hub serve` processes sharing their records and documents, and nginx
//! in front of them as a city would run it (packaging/nginx/quorum-hub.conf).

use std::path::Path;

use crate::processes::{
    DemoMember, HubProcess, free_loopback_port, hub_demo, wait_until_listening,
};

/// The sample meeting loaded through the first of `folders`, and a hub process on each
/// folder (their records and documents where [`crate::processes::keep_hub_data_in`] put them), all showing the first one's certificate and trusting a balancer
/// on loopback.
pub fn hubs_sharing_records(folders: &[tempfile::TempDir]) -> (Vec<DemoMember>, Vec<HubProcess>) {
    let members = hub_demo(folders[0].path());
    let tls = folders[0].path().join("tls");
    let (cert, key) = (tls.join("hub.crt"), tls.join("hub.key"));
    let hubs = folders
        .iter()
        .map(|data| {
            let args = [
                "--tls-cert",
                cert.to_str().expect("a UTF-8 path"),
                "--tls-key",
                key.to_str().expect("a UTF-8 path"),
                "--trusted-proxy",
                "127.0.0.1",
            ];
            HubProcess::start_with(data.path(), "127.0.0.1:0", &args)
        })
        .collect::<Vec<_>>();
    let fingerprints: Vec<&str> = hubs.iter().map(|hub| hub.fingerprint.as_str()).collect();
    assert!(
        fingerprints.iter().all(|f| *f == fingerprints[0]),
        "every process shows the one certificate"
    );
    (members, hubs)
}

/// nginx in front of the hub processes, with the repository's configuration
/// (packaging/nginx/quorum-hub.conf) pointed at them, on a free loopback port, showing
/// the hubs' certificate. Stopped when dropped.
pub struct Balancer {
    child: std::process::Child,
    pub url: String,
    _folder: tempfile::TempDir,
}

impl Balancer {
    pub fn start(hubs: &[HubProcess], tls: &Path) -> Balancer {
        let folder = tempfile::tempdir().expect("a folder for nginx");
        let port = free_loopback_port();
        let shipped = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/nginx/quorum-hub.conf"),
        )
        .expect("the repository holds the nginx configuration");
        let servers: String = hubs
            .iter()
            .map(|hub| format!("    server {} max_fails=1 fail_timeout=5s;\n", hub.address))
            .collect();
        let site: String = shipped
            .lines()
            .filter(|line| !line.trim_start().starts_with("server 127.0.0.1:788"))
            .map(|line| match line.trim() {
                "upstream quorum_hubs {" => format!("{line}\n{servers}"),
                "listen 443 ssl;" => format!("    listen 127.0.0.1:{port} ssl;"),
                _ => line
                    .replace(
                        "/var/lib/quorum-hub/tls",
                        tls.to_str().expect("a UTF-8 path"),
                    )
                    .to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let dir = folder.path().display();
        let main = format!(
            "user root;\nworker_processes auto;\nerror_log {dir}/error.log;\npid {dir}/nginx.pid;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {dir}/body;\n  proxy_temp_path {dir}/proxy;\n\
             fastcgi_temp_path {dir}/fastcgi;\n  uwsgi_temp_path {dir}/uwsgi;\n  scgi_temp_path {dir}/scgi;\n\
             {site}\n}}\n"
        );
        let conf = folder.path().join("nginx.conf");
        std::fs::write(&conf, main).expect("nginx.conf is written");
        let child = std::process::Command::new("nginx")
            .args(["-g", "daemon off;", "-p"])
            .arg(folder.path())
            .arg("-c")
            .arg(&conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nginx starts (setup.sh installs it)");
        wait_until_listening(port, "nginx");
        Balancer {
            child,
            url: format!("https://127.0.0.1:{port}"),
            _folder: folder,
        }
    }
}

impl Drop for Balancer {
    /// SIGTERM, so the master stops its workers (a SIGKILL would leave them running).
    fn drop(&mut self) {
        let stopped = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        if stopped.is_err() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
