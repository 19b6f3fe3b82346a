"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

export interface NavItem {
  href: string;
  label: string;
  operatorOnly?: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { href: "/chat", label: "Chat" },
  { href: "/dashboard", label: "Dashboard", operatorOnly: true },
  { href: "/adaptations", label: "Adaptations", operatorOnly: true },
  { href: "/knowledge", label: "Knowledge", operatorOnly: true },
  { href: "/settings", label: "Settings" },
];

export function Nav({ isOperator }: { isOperator: boolean }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex flex-col gap-1">
      {NAV_ITEMS.filter((i) => isOperator || !i.operatorOnly).map((item) => {
        const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
        return (
          <Link
            key={item.href}
            href={item.href}
            data-testid={`nav-${item.label.toLowerCase()}`}
            aria-current={active ? "page" : undefined}
            className={`rounded-md px-3 py-2 text-sm font-medium ${
              active
                ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900"
                : "text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
            }`}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
