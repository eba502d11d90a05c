// Every page under /admin (the console, sign-in and setup): Ant Design, its styles collected during
// server rendering (StyleRegistry, so the first paint is styled), and the console's page-level CSS.
// Static: nothing here reads the request, so the user list stays a prerendered shell.
import { AntdProvider } from "./antd-provider";
import { StyleRegistry } from "./style-registry";
import "antd/dist/antd.css";
import "./console.css";

export default function AdminLayout({ children }: { children: React.ReactNode }) {
  return (
    <StyleRegistry>
      <AntdProvider>
        <div className="wcuc-console">{children}</div>
      </AntdProvider>
    </StyleRegistry>
  );
}
