// The loader against a directory of good and deliberately wrong plugins built in this test tree:
// each wrong one is refused with its typed error, naming the file, and the good ones load anyway.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "omnikernel/runtime/plugin_loader.h"
#include "omnikernel/runtime/plugin_path.h"

namespace {

namespace fs = std::filesystem;
using omni::runtime::LoadErrorKind;
using omni::runtime::PluginLoader;

const fs::path kDir = OMNI_TEST_PLUGIN_DIR;

fs::path plugin_file(const std::string& target) { return kDir / ("lib" + target + ".so"); }

// Every refusal of the test directory, by file name.
std::map<std::string, omni::runtime::LoadError> refusals(const omni::runtime::LoadReport& report) {
  std::map<std::string, omni::runtime::LoadError> by_file;
  for (const auto& error : report.refused) by_file.emplace(error.file.filename().string(), error);
  return by_file;
}

class DirectoryLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    auto result = loader.load_directory(kDir);
    ASSERT_TRUE(result.has_value()) << result.error().message();
    report = std::move(*result);
    refused = refusals(report);
  }
  void expect_refused(const std::string& file, LoadErrorKind kind, const std::string& words) {
    auto found = refused.find(file);
    ASSERT_NE(found, refused.end()) << file << " was not refused";
    EXPECT_EQ(found->second.kind, kind) << found->second.message();
    EXPECT_NE(found->second.cause.find(words), std::string::npos) << found->second.message();
    EXPECT_NE(found->second.message().find(file), std::string::npos) << "the message names the file";
  }
  PluginLoader loader;
  omni::runtime::LoadReport report;
  std::map<std::string, omni::runtime::LoadError> refused;
};

TEST_F(DirectoryLoad, GoodPluginsLoadDespiteTheBadOnes) {
  std::map<std::string, std::string> loaded;
  for (const auto& plugin : report.loaded)
    loaded[std::string(plugin->name())] = plugin->info().file.filename().string();
  EXPECT_EQ(loaded.size(), 8u);
  EXPECT_EQ(loaded["c_allow_all"], "libomni_test_c_allow_all.so");
  EXPECT_EQ(loaded["echo"], "libomni_test_echo.so");
  EXPECT_EQ(loaded["duplicate_name"], "libomni_test_duplicate_a.so");  // the first, by name order
  EXPECT_TRUE(loaded.contains("throwing_adapter"));
  EXPECT_TRUE(loaded.contains("throwing_policy"));
  EXPECT_TRUE(loaded.contains("bad_adapter"));
  EXPECT_EQ(loaded["c_abi_1_0"], "libomni_test_c_abi_1_0.so") << "an ABI 1.0 plugin keeps loading";
  EXPECT_EQ(loaded["adapter_abi_1_1"], "libomni_test_adapter_abi_1_1.so")
      << "an ABI 1.1 adapter (no parse_partial) keeps loading in an ABI 1.3 host";
  EXPECT_EQ(report.refused.size(), 10u);
  auto echo = loader.find("echo");
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->kind(), omni::runtime::PluginKind::channel_adapter);
  EXPECT_EQ(echo->info().version, "2.0.0");
  // Built with this tree's SDK: it speaks this header's ABI.
  EXPECT_EQ(echo->info().abi_string(),
            std::to_string(OMNI_ABI_VERSION_MAJOR) + "." + std::to_string(OMNI_ABI_VERSION_MINOR));
  EXPECT_EQ(loader.find("c_abi_1_0")->info().abi_string(), "1.0");
}

TEST_F(DirectoryLoad, AnAbi10PluginWorksInThisHost) {
  auto policy = loader.create_policy("c_abi_1_0");
  ASSERT_TRUE(policy) << policy.error().text();
  omni::PolicyRequest request{.op = omni::PolicyOp::open, .customer = omni::CustomerId{13}, .sessions = {}};
  EXPECT_FALSE((*policy)->check(request).allow);
  request.customer = omni::CustomerId{14};
  EXPECT_TRUE((*policy)->check(request).allow);
}

TEST_F(DirectoryLoad, ANullVtableFunctionIsRefusedByName) {
  expect_refused("libomni_test_c_null_check.so", LoadErrorKind::bad_descriptor,
                 "omni_policy_vtable.check is NULL");
}

TEST_F(DirectoryLoad, ATextFileNamedSoIsNotASharedLibrary) {
  expect_refused("libomni_test_text_file.so", LoadErrorKind::not_a_shared_library, "no ELF header");
}

TEST_F(DirectoryLoad, AnElfFileTheDynamicLoaderRefusesIsALoadFailureWithItsReason) {
  expect_refused("libomni_test_executable.so", LoadErrorKind::load_failed, "cannot dynamically load");
}

TEST_F(DirectoryLoad, ALibraryWithoutTheEntrySymbolIsRefused) {
  expect_refused("libomni_test_no_entry.so", LoadErrorKind::no_entry_symbol, "omni_plugin_entry");
}

TEST_F(DirectoryLoad, AnotherAbiMajorIsRefused) {
  expect_refused("libomni_test_c_abi_99.so", LoadErrorKind::abi_major_mismatch,
                 "built for ABI 99.0, this host speaks ABI 1.3");
}

TEST_F(DirectoryLoad, ADescriptorFromANewerMinorIsRefused) {
  expect_refused("libomni_test_c_newer_descriptor.so", LoadErrorKind::newer_minor,
                 "omni_plugin_descriptor is " + std::to_string(sizeof(omni_plugin_descriptor) + 16));
}

TEST_F(DirectoryLoad, AVtableFromANewerMinorIsRefused) {
  expect_refused("libomni_test_c_newer_vtable.so", LoadErrorKind::newer_minor,
                 "omni_policy_vtable is " + std::to_string(sizeof(omni_policy_vtable) + 16));
}

TEST_F(DirectoryLoad, AFailingEntryIsAnInitFailureWithThePluginsMessage) {
  expect_refused("libomni_test_c_init_fails.so", LoadErrorKind::init_failed,
                 "license file /etc/omni/license.key is missing");
}

TEST_F(DirectoryLoad, AnInvalidNameIsABadDescriptor) {
  expect_refused("libomni_test_c_bad_name.so", LoadErrorKind::bad_descriptor, "Bad Name!");
}

TEST_F(DirectoryLoad, ASecondPluginOfTheSameNameIsRefused) {
  expect_refused("libomni_test_duplicate_b.so", LoadErrorKind::duplicate_name,
                 "libomni_test_duplicate_a.so");
}

TEST(PluginLoader, MissingFileAndDirectoryAreNotFound) {
  PluginLoader loader;
  auto file = loader.load_file(kDir / "no_such_plugin.so");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().kind, LoadErrorKind::not_found);
  auto directory = loader.load_directory(kDir / "no_such_directory");
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().kind, LoadErrorKind::not_found);
  EXPECT_NE(directory.error().message().find("no_such_directory"), std::string::npos);
}

TEST(PluginLoader, ADirectoryIsNotASharedLibrary) {
  PluginLoader loader;
  auto result = loader.load_file(kDir);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, LoadErrorKind::not_a_shared_library);
}

TEST(PluginLoader, CreatingAnUnknownPluginIsAnError) {
  PluginLoader loader;
  auto adapter = loader.create_adapter("nope");
  ASSERT_FALSE(adapter);
  EXPECT_EQ(adapter.error().status, OMNI_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(adapter.error().kind, omni::runtime::PluginErrorKind::not_loaded);
  EXPECT_FALSE(loader.create_policy("nope"));
}

TEST(PluginLoader, CreatingTheWrongKindIsAnError) {
  PluginLoader loader;
  ASSERT_TRUE(loader.load_file(plugin_file("omni_test_echo")));
  auto policy = loader.create_policy("echo");
  ASSERT_FALSE(policy);
  EXPECT_NE(policy.error().text().find("not a policy plugin"), std::string::npos)
      << policy.error().text();
}

TEST(ChannelAdapterHandle, ParsesAndGatesThroughTheLoadedPlugin) {
  PluginLoader loader;
  ASSERT_TRUE(loader.load_file(plugin_file("omni_test_echo")));
  auto adapter = loader.create_adapter("echo", "> ");
  ASSERT_TRUE(adapter) << adapter.error().text();
  std::vector<std::string> texts;
  auto count = adapter->parse("ana|hi\nbo|yo", [&](const omni::runtime::InboundMessage& m) {
    texts.push_back(std::string(m.customer) + "=" + std::string(m.text));
    EXPECT_EQ(m.channel, "echo");
    return true;
  });
  ASSERT_TRUE(count) << count.error().text();
  EXPECT_EQ(*count, 2u);
  EXPECT_EQ(texts, (std::vector<std::string>{"ana=> hi", "bo=> yo"}));

  auto stopped = adapter->parse("a|1\nb|2\nc|3", [](const auto&) { return false; });
  ASSERT_TRUE(stopped);
  EXPECT_EQ(*stopped, 1u);

  auto malformed = adapter->parse("a|1\n!", [](const auto&) { return true; });
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().status, OMNI_ERR_MALFORMED_PAYLOAD);
  EXPECT_EQ(malformed.error().text(), "echo: malformed payload: line 2: \"!\"");

  std::string long_text(5000, 'x');
  auto gated = adapter->gate_outbound({.kind = omni::runtime::OutboundKind::template_message,
                                       .customer = "ana",
                                       .text = long_text,
                                       .agent_alias = "Ana"});
  ASSERT_TRUE(gated) << gated.error().text();
  EXPECT_TRUE(gated->allowed);
  EXPECT_EQ(gated->text, "Ana: " + long_text);
  auto refused = adapter->gate_outbound({.kind = omni::runtime::OutboundKind::free_form,
                                         .customer = "ana",
                                         .last_inbound_ms = 0,
                                         .now_ms = 25 * 3600 * 1000,
                                         .text = "late"});
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->allowed);
  EXPECT_EQ(refused->reason, omni::runtime::GateReason::window_closed);
  EXPECT_EQ(refused->message, "outside the 24-hour window of ana");
}

TEST(ChannelAdapterHandle, ConfigErrorsComeBackTyped) {
  PluginLoader loader;
  ASSERT_TRUE(loader.load_file(plugin_file("omni_test_echo")));
  auto adapter = loader.create_adapter("echo", "throw");
  ASSERT_FALSE(adapter);
  EXPECT_EQ(adapter.error().status, OMNI_ERR_CONFIG);
  EXPECT_EQ(adapter.error().message, "config: \"throw\" asked for a failure");
}

TEST(ThrowingPlugin, NoExceptionCrossesIntoTheHost) {
  PluginLoader loader;
  ASSERT_TRUE(loader.load_file(plugin_file("omni_test_throwing_adapter")));
  ASSERT_TRUE(loader.load_file(plugin_file("omni_test_throwing_policy")));

  auto failed = loader.create_adapter("throwing_adapter", "throw");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().status, OMNI_ERR_INTERNAL);
  EXPECT_EQ(failed.error().message, "constructor exploded");

  auto adapter = loader.create_adapter("throwing_adapter");
  ASSERT_TRUE(adapter);
  auto parsed = adapter->parse("x", [](const auto&) { return true; });
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().status, OMNI_ERR_INTERNAL);
  EXPECT_EQ(parsed.error().message, "parse exploded");
  auto gated = adapter->gate_outbound({.text = "x"});
  ASSERT_FALSE(gated);
  EXPECT_EQ(gated.error().status, OMNI_ERR_OUT_OF_MEMORY);

  auto policy = loader.create_policy("throwing_policy");
  ASSERT_TRUE(policy);
  omni::PolicyRequest request{.op = omni::PolicyOp::open, .customer = omni::CustomerId{2}, .sessions = {}};
  omni::PolicyVerdict verdict = (*policy)->check(request);
  EXPECT_FALSE(verdict.allow) << "a failing policy refuses";
  EXPECT_EQ(verdict.reason, "policy throwing_policy failed (internal error): check exploded");
  request.customer = omni::CustomerId{1};
  verdict = (*policy)->check(request);
  EXPECT_FALSE(verdict.allow);
  EXPECT_NE(verdict.reason.find("unknown exception"), std::string::npos);
}

bool library_is_mapped(const fs::path& file) {
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  ::dlclose(handle);
  return true;
}

TEST(Lifetime, AnInstanceKeepsItsLibraryLoadedAfterTheLoaderIsGone) {
  const fs::path file = plugin_file("omni_test_c_allow_all");
  ASSERT_FALSE(library_is_mapped(file));
  std::unique_ptr<omni::runtime::PolicyPlugin> policy;
  {
    PluginLoader loader;
    ASSERT_TRUE(loader.load_file(file));
    auto created = loader.create_policy("c_allow_all");
    ASSERT_TRUE(created) << created.error().text();
    policy = std::move(*created);
  }
  EXPECT_TRUE(library_is_mapped(file));
  omni::PolicyRequest request{.op = omni::PolicyOp::open, .customer = omni::CustomerId{13}, .sessions = {}};
  omni::PolicyVerdict verdict = policy->check(request);
  EXPECT_FALSE(verdict.allow);
  EXPECT_EQ(verdict.reason, "customer 13 is unlucky");
  request.customer = omni::CustomerId{14};
  EXPECT_TRUE(policy->check(request).allow);
  policy.reset();
  EXPECT_FALSE(library_is_mapped(file)) << "the last reference unloads the library";
}

TEST(Lifetime, APluginOutlivesItsLoaderAndTheLibraryFollowsThePlugin) {
  const fs::path file = plugin_file("omni_test_c_allow_all");
  std::shared_ptr<const omni::runtime::Plugin> plugin;
  {
    PluginLoader loader;
    auto loaded = loader.load_file(file);
    ASSERT_TRUE(loaded);
    plugin = *loaded;
  }
  EXPECT_TRUE(library_is_mapped(file));
  auto policy = omni::runtime::PolicyPlugin::create(plugin);
  ASSERT_TRUE(policy);
  plugin.reset();
  EXPECT_TRUE(library_is_mapped(file)) << "the instance still holds it";
  policy->reset();
  EXPECT_FALSE(library_is_mapped(file));
}

TEST(PluginPath, ExplicitThenEnvironmentThenBesideTheExecutable) {
  EXPECT_EQ(omni::runtime::plugin_search_path(fs::path("/x/y")), std::vector<fs::path>{"/x/y"});
  EXPECT_EQ(omni::runtime::plugin_search_path(std::vector<fs::path>{"/x", "/y"}),
            (std::vector<fs::path>{"/x", "/y"}));
  EXPECT_EQ(omni::runtime::split_directory_list(":/p::/q:"), (std::vector<fs::path>{"/p", "/q"}));
  ::setenv(omni::runtime::kPluginPathVariable, "/a:/b::/c", 1);
  EXPECT_EQ(omni::runtime::plugin_search_path(), (std::vector<fs::path>{"/a", "/b", "/c"}));
  ::unsetenv(omni::runtime::kPluginPathVariable);
  auto path = omni::runtime::plugin_search_path();
  ASSERT_EQ(path.size(), 1u);
  EXPECT_EQ(path[0], omni::runtime::default_plugin_directory());
  EXPECT_TRUE(path[0].string().ends_with("lib/omnikernel/plugins")) << path[0];
}

}  // namespace
