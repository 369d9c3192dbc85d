// tls_certs.hpp — a throwaway CA and a server certificate, made in memory at start-up.
#pragma once

#include <string>

namespace lab {

struct TlsMaterial {
    std::string ca_cert_pem;     // what clients trust
    std::string server_cert_pem; // signed by the CA; SAN DNS:localhost, IP:127.0.0.1
    std::string server_key_pem;  // never written to disk
};

// EC P-256 keys, valid from an hour ago for 30 days. Throws std::runtime_error on failure.
TlsMaterial make_tls_material(const std::string& ca_name = "DaemonLab local CA");

} // namespace lab
