#include "daemon/app/cluster_fingerprint.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "daemon/base/file_read.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

// Incremental SHA-256 over length-prefixed parts, so ("ab","c") and ("a","bc") differ.
class Digest {
 public:
  Digest() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void Add(std::string_view part) {
    const uint64_t n = part.size();
    EVP_DigestUpdate(ctx_.get(), &n, sizeof n);
    EVP_DigestUpdate(ctx_.get(), part.data(), part.size());
  }
  std::string Hex16() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), md.data(), &len);
    std::string out = "sha256:";
    for (unsigned int i = 0; i < 8 && i < len; ++i) out += fmt::format("{:02x}", md[i]);
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

constexpr size_t kMaxHashedFile = 64u << 20;

Status AddFile(Digest* d, const fs::path& path, const fs::path& base) {
  EARSHOT_ASSIGN_OR_RETURN(std::string text, ReadRegularFile(path, kMaxHashedFile));
  d->Add(path.lexically_relative(base).generic_string());
  d->Add(text);
  return Status::Ok();
}

// Every regular file under `dir`, in path order (directory listings come in no set order).
Status AddTree(Digest* d, const fs::path& dir) {
  std::error_code ec;
  if (fs::is_regular_file(dir, ec)) return AddFile(d, dir, dir.parent_path());
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return Status::Unavailable(fmt::format("{}: {}", dir.string(), ec.message()));
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) EARSHOT_RETURN_IF_ERROR(AddFile(d, f, dir));
  return Status::Ok();
}

}  // namespace

Result<ClusterFingerprint> FingerprintOf(const AppConfig& config) {
  ClusterFingerprint out;
  Digest rules;
  for (const fs::path& f : config.rule_files) EARSHOT_RETURN_IF_ERROR(AddTree(&rules, f));
  if (!config.lexicon_dir.empty()) EARSHOT_RETURN_IF_ERROR(AddTree(&rules, config.lexicon_dir));
  for (const fs::path& f : config.lexicon_overlays) EARSHOT_RETURN_IF_ERROR(AddTree(&rules, f));
  for (const fs::path& f : config.complaint_overlays) EARSHOT_RETURN_IF_ERROR(AddTree(&rules, f));
  if (!config.silences_file.empty()) {
    EARSHOT_RETURN_IF_ERROR(AddTree(&rules, config.silences_file));
  }
  out.rules_hash = rules.Hex16();

  Digest cfg;
  try {
    YAML::Node root = YAML::LoadFile(config.file.string());
    if (root.IsMap()) {
      for (const char* key : {"state_dir", "metrics", "console", "log", "bus", "watchdog",
                              "shutdown_grace", "rules", "lexicon"}) {
        root.remove(key);
      }
      if (YAML::Node cluster = root["cluster"]; cluster && cluster.IsMap()) {
        for (const char* key : {"node", "token_file", "token_credential", "credentials_file"}) {
          cluster.remove(key);
        }
      }
    }
    YAML::Emitter emitter;
    emitter << root;
    cfg.Add(emitter.c_str());
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", config.file.string(), e.what()));
  }
  out.config_hash = cfg.Hex16();
  return out;
}

}  // namespace earshot
